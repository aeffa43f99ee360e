import { Chart, Testing } from 'cdk8s';
import { EgressZone, NamespaceAssignment, NatPool, PoolEncapsulation, Selector } from '../../src';
import { expectWarnings } from '../support/warnings';

function chart(): Chart {
  return Testing.chart();
}

describe('NatPool', () => {
  test('renders an IPPool with natOutgoing, block size, selectors and encapsulation', () => {
    const c = chart();
    const pool = new NatPool(c, 'payments-pool', {
      cidr: '10.250.0.0/24',
      natOutgoing: false,
      blockSize: 28,
      nodeSelector: Selector.labelEquals('egress', 'true'),
      encapsulation: PoolEncapsulation.VXLAN_CROSS_SUBNET,
    });
    new EgressZone(c, 'payments', { namespaces: ['payments'], natPools: [pool] });
    // A pool without NAT needs the outside network to route it back: synth says so (issue 21, item 14).
    const [ippool] = expectWarnings([/^egress backends test\/payments-pool: NAT pool "payments-pool" 10\.250\.0\.0\/24 does not NAT .* must route 10\.250\.0\.0\/24 back to the nodes/], () => Testing.synth(c))
      .filter(o => o.kind === 'IPPool');
    expect(ippool).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'IPPool',
      metadata: { name: 'payments-pool' },
      spec: {
        cidr: '10.250.0.0/24',
        blockSize: 28,
        natOutgoing: false,
        nodeSelector: 'egress == "true"',
        // Calico IPAM evaluates this against the Namespace's own labels (not the policy-only projectcalico.org/name).
        namespaceSelector: 'kubernetes.io/metadata.name in {"payments"}',
        // Calico defaults empty allowedUses to [Workload, Tunnel] and rejects a Tunnel pool with a namespaceSelector.
        allowedUses: ['Workload'],
        vxlanMode: 'CrossSubnet',
        ipipMode: 'Never',
      },
    });
    expect(pool.blockCount).toBe(16);
    expect(pool.addressesPerBlock).toBe(16);
  });

  test('no-NAT destinations become disabled pools that no node allocates from', () => {
    const c = chart();
    new NatPool(c, 'batch', { cidr: '10.244.0.0/16', noNatDestinations: ['172.16.0.0/12'] });
    const pools = Testing.synth(c).filter(o => o.kind === 'IPPool');
    expect(pools.map(p => [p.spec.cidr, p.spec.disabled ?? false, p.spec.natOutgoing, p.spec.nodeSelector])).toEqual([
      ['10.244.0.0/16', false, true, 'all()'],
      ['172.16.0.0/12', true, false, '!all()'],
    ]);
  });

  test('annotation assignment emits the namespace annotation Calico IPAM reads', () => {
    const c = chart();
    const pool = new NatPool(c, 'p', { cidr: '10.250.0.0/24', natOutgoing: false, assignment: NamespaceAssignment.NAMESPACE_ANNOTATION });
    new EgressZone(c, 'z', { namespaces: ['payments'], natPools: [pool] });
    const objs = expectWarnings([/^egress backends test\/p: NAT pool "p" .* does not NAT/], () => Testing.synth(c));
    const ns = objs.find(o => o.kind === 'Namespace');
    expect(ns.metadata).toEqual({ name: 'payments', annotations: { 'cni.projectcalico.org/ipv4pools': '["p"]' } });
    expect(objs.find(o => o.kind === 'IPPool').spec.namespaceSelector).toBeUndefined();
  });

  test.each([
    [{ cidr: '10.0.0.0/27' }, /cidr "10.0.0.0\/27" is smaller than one \/26 block.*\(at test\/p\)/],
    [{ cidr: '10.0.0.0/24', blockSize: 19 }, /blockSize "19" is outside 20-32/],
    [{ cidr: 'fd00::/64', blockSize: 26 }, /blockSize "26" is outside 116-128/],
    [{ cidr: '169.254.0.0/24' }, /overlaps the link-local range 169.254.0.0\/16/],
    [{ cidr: '10.0.0.1/24' }, /cidr "10.0.0.1\/24".*host bits/],
    [{ cidr: '10.0.0.0/24', natOutgoing: false, noNatDestinations: ['10.1.0.0/16'] }, /noNatDestinations .* without natOutgoing/],
    [{ cidr: '10.0.0.0/24', snatAddress: '192.0.2.0/30' }, /snatAddress "192.0.2.0\/30" is not a single IPv4 address/],
    // Capacity: the IP-exhaustion caveat, with the numbers.
    [{ cidr: '10.0.0.0/24', capacity: { nodes: 5 } }, /is too small: 5 nodes x 1 \/26 block\(s\) each .* need 5 blocks, the pool has 4 \(at test\/p\); hint: a \/23 pool/],
    [{ cidr: '10.0.0.0/24', blockSize: 28, capacity: { nodes: 6, podsPerNode: 40 } }, /6 nodes x 3 \/28 block\(s\) each \(40 pods per node, 16 addresses per block\) need 18 blocks, the pool has 16/],
    [{ cidr: '10.0.0.0/24', capacity: { pods: 300 } }, /300 pods need 300 addresses, the pool has 256/],
  ])('invalid pool %# fails early with the reason', (props, message) => {
    expect(() => new NatPool(chart(), 'p', props as any)).toThrow(message);
  });

  test('a pool that fits is accepted', () => {
    expect(() => new NatPool(chart(), 'p', { cidr: '10.0.0.0/24', blockSize: 28, capacity: { nodes: 5, podsPerNode: 40 } })).not.toThrow();
  });

  test('overlapping pools and no-NAT ranges are reported at synth with both paths', () => {
    const c = chart();
    new NatPool(c, 'a', { cidr: '10.0.0.0/16', noNatDestinations: ['10.1.0.0/16'] });
    new NatPool(c, 'b', { cidr: '10.0.128.0/24' });
    new NatPool(c, 'c', { cidr: '10.1.2.0/24' });
    expect(() => Testing.synth(c)).toThrow(/NAT pool "b" 10.0.128.0\/24 \(at test\/b\) overlaps NAT pool "a" 10.0.0.0\/16 \(at test\/a\)[\s\S]*NAT pool "c" 10.1.2.0\/24 \(at test\/c\) overlaps no-NAT destination 10.1.0.0\/16/);
  });

  test('a zone mixing NAT behaviours is rejected', () => {
    const c = chart();
    const a = new NatPool(c, 'a', { cidr: '10.0.0.0/24' });
    const b = new NatPool(c, 'b', { cidr: '10.0.1.0/24', natOutgoing: false });
    new EgressZone(c, 'z', { namespaces: ['z'], natPools: [a, b] });
    expect(() => Testing.synth(c)).toThrow(/zone "z" mixes pools with different NAT behaviour \(a: natOutgoing, b: no NAT\)/);
  });
});
