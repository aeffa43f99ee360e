import { Cidr } from '../../model/cidr';
import { DEFAULT_DNS } from '../../model/dns-defaults';
import { DnsModel } from '../../model/egress-model-document';
import { locate } from '../../model/errors';
import type { DnsOptions } from '../cluster-network';

/** Parses a CIDR and locates any error at the construct path. @internal */
export function parseCidrAt(field: string, text: string, path: string): Cidr {
  return locate(path, field, () => Cidr.parse(text));
}

/** Resolves DNS options to the model form. @internal */
export function dnsModel(options: DnsOptions, path: string): DnsModel {
  const cidrs = (options.cidrs ?? []).map((c, i) => parseCidrAt(`dns.cidrs[${i}]`, c, path).toString());
  return {
    enabled: options.enabled ?? DEFAULT_DNS.enabled,
    namespace: options.namespace ?? DEFAULT_DNS.namespace,
    podSelector: options.podSelector?.toString() ?? DEFAULT_DNS.podSelector,
    ports: options.ports?.map(p => p.toModel()) ?? DEFAULT_DNS.ports,
    cidrs,
  };
}
