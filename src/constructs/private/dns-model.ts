import { parseCidrAt } from './parse-cidr-at';
import { DEFAULT_DNS } from '../../model/dns-defaults';
import { DnsModel } from '../../model/egress-model-document';
import type { DnsOptions } from '../dns-options';

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
