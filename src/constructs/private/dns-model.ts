import { parseCidrAt } from './parse-cidr-at';
import { checkedPortList } from './port-list';
import { DEFAULT_DNS } from '../../model/dns-defaults';
import { DnsModel } from '../../model/egress-model-document';
import { EgressValidationError } from '../../model/errors';
import { validateDnsLabel } from '../../model/names';
import { Selector } from '../../model/selector';
import type { DnsOptions } from '../dns-options';

/**
 * Resolves DNS options to the model form, every option checked at `path`: each backend writes them into its
 * policies as they are. @internal
 */
export function dnsModel(options: DnsOptions, path: string): DnsModel {
  const cidrs = (options.cidrs ?? []).map((c, i) => parseCidrAt(`dns.cidrs[${i}]`, c, path).toString());
  // Every backend selects the DNS pods' namespace by its name (kubernetes.io/metadata.name, Cilium's namespace label).
  const namespace = options.namespace === undefined ? DEFAULT_DNS.namespace : validateDnsLabel('dns.namespace', options.namespace, path);
  const podSelector = options.podSelector;
  if (podSelector !== undefined && !(podSelector instanceof Selector)) {
    throw new EgressValidationError('dns.podSelector', String(podSelector), 'is not a Selector', path,
      typeof podSelector === 'string' ? `Selector.parse(${JSON.stringify(podSelector)})` : 'e.g. Selector.labelEquals("k8s-app", "kube-dns")');
  }
  // The DNS pods are matched by a rule's selector, where Calico rejects global().
  if (podSelector?.usesGlobal) {
    throw new EgressValidationError('dns.podSelector', podSelector.toString(), 'uses global(), which Calico only allows in a rule\'s namespaceSelector', path,
      'select the DNS pods by their labels; the namespace is dns.namespace');
  }
  const ports = options.ports === undefined ? undefined : checkedPortList('dns.ports', options.ports, path,
    'say Port.allTraffic() for every port, leave ports out for UDP and TCP 53, or set enabled: false for no DNS');
  return {
    enabled: options.enabled ?? DEFAULT_DNS.enabled,
    namespace,
    podSelector: podSelector?.toString() ?? DEFAULT_DNS.podSelector,
    ports: ports?.map(p => p.toModel()) ?? DEFAULT_DNS.ports,
    cidrs,
  };
}
