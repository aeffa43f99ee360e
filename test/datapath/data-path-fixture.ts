/** A valid data-path document the tests derive variants from. */
export function validDocument(): any {
  return {
    version: 1,
    cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['198.18.0.0/16'] },
    zones: [
      {
        name: 'payments',
        id: 1,
        gateway: 'gw',
        vni: 4101,
        failOpen: false,
        members: { namespaces: ['payments'], matchLabels: { app: 'pay' } },
        allow: [
          { cidr: '198.19.0.10/32', protocol: 'tcp', ports: ['443', '8000-8080'], description: 'api' },
          { cidr: '198.19.1.0/24', protocol: 'icmp', ports: [] },
        ],
        noGateway: ['203.0.113.0/24'],
      },
      { name: 'open', id: 2, gateway: 'gw', vni: 4102, failOpen: true, members: { namespaces: [], matchLabels: {} }, allow: [], noGateway: [] },
      { name: 'direct', id: 3, failOpen: false, members: { namespaces: ['legacy'], matchLabels: {} }, allow: [], noGateway: [] },
    ],
    gateways: [{
      name: 'gw',
      service: { namespace: 'egress', name: 'gw' },
      egressIps: ['198.19.100.1', '198.19.100.2'],
      vxlanPort: 4789,
      healthPort: 9440,
      probe: { intervalMs: 100, timeoutMs: 100, failureThreshold: 3 },
      drainGraceSeconds: 30,
    }],
    natPools: [{ name: 'legacy', cidr: '10.201.50.0/24', snatAddress: '198.18.1.50', noNatCidrs: ['192.0.2.0/24'] }],
  };
}

/** A version-2 document: the fixture with an IPv6 egress range, IPv6 cluster ranges and IPv6 allow/noGateway entries. */
export function v2Document(): any {
  const d = validDocument();
  d.version = 2;
  d.cluster.podCidrs.push('fd00:10:201::/56');
  d.cluster.nodeCidrs.push('fd00:198:18::/64');
  d.gateways[0].egressIps.push('2001:db8:e::1', '2001:db8:e::2');
  d.zones[0].allow.push({ cidr: '2001:db8:100::/48', protocol: 'tcp', ports: ['443'] }, { cidr: '2001:db8:101::/48', protocol: 'icmp', ports: [] });
  d.zones[0].noGateway.push('2001:db8:200::/48');
  return d;
}
