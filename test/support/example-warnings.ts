/**
 * What synthesizing the example estate (examples/app) warns: its firewall export sees zones leave from the same
 * node addresses (NAT outgoing), which a perimeter cannot tell apart. On Calico those are "batch" and "locked";
 * on Cilium and plain Kubernetes, which get no NatPools in the example, "partners" and "payments" too.
 */
export function exampleWarnings(backend = process.env.BACKEND || 'calico', chart = 'egress'): string[] {
  const zones = (backend === 'calico' || backend === 'calico-enterprise' ? ['batch', 'locked'] : ['batch', 'locked', 'partners', 'payments'])
    .map(z => `"${z}"`).join(', ');
  return [`firewall export ${chart}/firewall: zones share source addresses, so a perimeter cannot tell their traffic apart and allows from those addresses the union of their rules: 192.0.2.0/26 (zones ${zones}); 2001:db8:ffff::/64 (zones ${zones}); hint: give a zone its own NAT pool or gateway`];
}
