/**
 * What synthesizing the example estate (examples/app) warns: its firewall export sees zones leave from the same
 * node addresses (NAT outgoing), which a perimeter cannot tell apart. On Calico those are "batch", "checkout" and "locked";
 * on Cilium and plain Kubernetes, which get no NatPools in the example, "partners" and "payments" too. On Calico the
 * payments pool does not NAT, so the backends say the outside network must route it back. The checkout zone (NAT
 * outgoing on every backend) shares the node addresses too, and its HTTP rule's HTTP part is not in the firewall files.
 */
export function exampleWarnings(backend = process.env.BACKEND || 'calico', chart = 'egress'): string[] {
  const calico = backend === 'calico' || backend === 'calico-enterprise';
  const zones = (calico ? ['batch', 'checkout', 'locked'] : ['batch', 'checkout', 'locked', 'partners', 'payments']).map(z => `"${z}"`).join(', ');
  const routable = calico ? [`egress backends ${chart}/payments-pool: NAT pool "payments-pool" 10.250.0.0/24 does not NAT (natOutgoing: false): destinations see its pod addresses, so the network outside the cluster must route 10.250.0.0/24 back to the nodes (BGP peering with Calico, or static or cloud routes); with encapsulation NONE (vxlanMode and ipipMode Never) the network between the nodes must route it as well. Where it cannot, use natOutgoing, or an EgressGateway for fixed source addresses`] : [];
  return [...routable, `firewall export ${chart}/firewall: zones share source addresses, so a perimeter cannot tell their traffic apart and allows from those addresses the union of their rules: 192.0.2.0/26 (zones ${zones}); 2001:db8:ffff::/64 (zones ${zones}); hint: give a zone its own NAT pool or gateway`,
    // The checkout zone's HTTP rule (issue 26): the firewall files carry its address and port only.
    `firewall export ${chart}/firewall: the HTTP part of 1 rule is not in the firewall files, which allow their addresses and ports only (a perimeter sees no methods, paths or server names; the zones' mesh enforces them): checkout/charges (http GET,POST /v1/charges,/v1/refunds/* host=api.pay.example)`];
}
