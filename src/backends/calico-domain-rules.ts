import { CalicoAction, CalicoPort, CalicoProtocol, CalicoRule } from '../calico';
import { dnsLocalServers } from '../datapath/compile-domains';
import { agentDomainsIpv6 } from '../datapath/compile-domains-ipv6';
import { DNS_PROXY_ADDRESS, DNS_PROXY_PORT } from '../datapath/domain-config';
import { DNS_PROXY_ADDRESS6 } from '../datapath/domain-ipv6-config';
import { effectiveGateway, isDataPathGateway } from '../datapath/gateway-routing';
import { EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { ruleAnnotations } from '../model/vocabulary';

// Domain rules on open-source Calico (docs/domain-names.md): Felix's half of the two gates. The node agent's
// table admits a new connection on a domain rule's ports only to addresses the zone's pods looked up.

/** Every external address: a domain rule's ports are opened to these, and the agent's table narrows them. */
export const AGENT_DOMAIN_DESTINATIONS = ['0.0.0.0/0', '::/0'];

/**
 * The external addresses a domain rule opens on Felix's side: every one, of each family its traffic can leave with.
 * Through a cdk8s-egress gateway only the gateway's egress families: a looked-up address of another family would
 * not be steered (the tunnel carries a family only where the gateway has an egress IP of it) and would leave with
 * the pod's own address, so Felix denies it.
 */
export function agentDomainDestinations(doc: EgressModelDocument, zone: EgressZoneModel, rule: EgressRuleModel): string[] {
  const name = effectiveGateway(zone, rule);
  const gw = name === undefined ? undefined : doc.gateways.find(g => g.name === name);
  if (!gw || !isDataPathGateway(gw)) return AGENT_DOMAIN_DESTINATIONS;
  return AGENT_DOMAIN_DESTINATIONS.filter(d => gw.egressIps.some(ip => ip.includes(':') === d.includes(':')));
}

/**
 * DNS of a zone with agent-enforced domain rules: only to the node agent's DNS proxy (the address its table
 * DNATs the pods' queries to), never to the cluster DNS itself, so a node without the agent resolves nothing.
 * Its port, and one port more per DNS address the agent rewrites before conntrack (NodeLocal DNSCache's). A zone
 * whose pods may have IPv6 addresses may also reach the proxy's IPv6 address (its pods' IPv6 queries go there).
 */
export function dnsProxyRules(doc: EgressModelDocument, zone: EgressZoneModel): CalicoRule[] {
  const extra = dnsLocalServers(doc).length;
  const v6 = agentDomainsIpv6(doc, zone);
  const port = extra === 0 ? CalicoPort.of(DNS_PROXY_PORT) : CalicoPort.range(DNS_PROXY_PORT, DNS_PROXY_PORT + extra);
  const to = (ipVersion: 4 | 6, net: string, ports: CalicoPort[]) => [CalicoProtocol.UDP, CalicoProtocol.TCP].map(protocol => ({
    action: CalicoAction.ALLOW,
    protocol,
    ipVersion,
    destination: { nets: [net], ports },
    metadata: { annotations: ruleAnnotations('dns-proxy') },
  }));
  // IPv6: the proxy's own port only (NodeLocal DNSCache's addresses, rewritten to the other ports, are IPv4).
  return [...to(4, `${DNS_PROXY_ADDRESS}/32`, [port]), ...(v6 ? to(6, `${DNS_PROXY_ADDRESS6}/128`, [CalicoPort.of(DNS_PROXY_PORT)]) : [])];
}
