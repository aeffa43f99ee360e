import { Cidr } from '../../model/cidr';
import { DnsModel } from '../../model/egress-model';
import { locate } from '../../model/errors';
import { Port } from '../../model/port';
import { Selector } from '../../model/selector';
import type { DnsOptions } from '../cluster-network';

/** Parses a CIDR and locates any error at the construct path. @internal */
export function parseCidrAt(field: string, text: string, path: string): Cidr {
  return locate(path, field, () => Cidr.parse(text));
}

/** Resolves DNS options to the model form. @internal */
export function dnsModel(options: DnsOptions, path: string): DnsModel {
  const cidrs = (options.cidrs ?? []).map((c, i) => parseCidrAt(`dns.cidrs[${i}]`, c, path).toString());
  const ports = options.ports ?? [Port.udp(53), Port.tcp(53)];
  return {
    enabled: options.enabled ?? true,
    namespace: options.namespace ?? 'kube-system',
    podSelector: (options.podSelector ?? Selector.labelEquals('k8s-app', 'kube-dns')).toString(),
    ports: ports.map(p => p.toModel()),
    cidrs,
  };
}
