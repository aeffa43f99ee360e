import { usesAgentDomains } from './compile-domains';
import { DNS_PROXY_ADDRESS6, DnsProxy6Config } from './domain-ipv6-config';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';

/**
 * Whether a zone's agent-enforced domain rules must cover IPv6 pods: the cluster gives pods IPv6 addresses (an IPv6
 * range in ClusterNetwork), so the zone's pods may have one beside (or instead of) their IPv4 address.
 */
export function agentDomainsIpv6(doc: EgressModelDocument, zone: EgressZoneModel): boolean {
  return usesAgentDomains(doc, zone) && doc.clusterCidrs.some(c => c.includes(':'));
}

/** `domains.proxy6` of the data-path document (version 5): only when some domain zone has IPv6 pods. */
export function compileDnsProxy6(doc: EgressModelDocument): { proxy6?: DnsProxy6Config } {
  return doc.zones.some(z => agentDomainsIpv6(doc, z)) ? { proxy6: { address: DNS_PROXY_ADDRESS6 } } : {};
}
