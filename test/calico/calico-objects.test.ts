import { Chart, Testing } from 'cdk8s';
import {
  CalicoAction, CalicoAssignmentMode, CalicoEncapsulationMode, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkSet,
  CalicoIPPool, CalicoIPPoolAllowedUse, CalicoNetworkPolicy, CalicoNetworkSet, CalicoPolicyType, CalicoPort, CalicoProtocol,
} from '../../src/calico';

function only(chart: Chart): any {
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

describe('CalicoGlobalNetworkPolicy', () => {
  test('renders every field with Calico spellings and no empty fields', () => {
    const chart = Testing.chart();
    new CalicoGlobalNetworkPolicy(chart, 'Policy', {
      metadata: { name: 'security.egress-payments', labels: { team: 'payments' } },
      spec: {
        tier: 'security',
        order: 100.5,
        selector: 'app == "payments"',
        namespaceSelector: 'projectcalico.org/name == "payments"',
        types: [CalicoPolicyType.EGRESS],
        egress: [
          {
            action: CalicoAction.ALLOW,
            protocol: CalicoProtocol.TCP,
            destination: { nets: ['203.0.113.0/24', '198.51.100.7'], ports: [CalicoPort.of(443), CalicoPort.range(8000, 8080), CalicoPort.named('https')] },
            metadata: { annotations: { 'egress.cdk8s.io/rule': 'card-processor' } },
          },
          { action: CalicoAction.ALLOW, protocol: CalicoProtocol.ICMPV6, ipVersion: 6, icmp: { type: 128, code: 0 } },
          { action: CalicoAction.ALLOW, protocol: CalicoProtocol.of(17), destination: { ports: [CalicoPort.of(53)] } },
          { action: CalicoAction.DENY, ipVersion: 4, destination: { notNets: ['10.0.0.0/8'], nets: [] }, source: {} },
        ],
      },
    });
    const obj = only(chart);
    expect(obj.apiVersion).toBe('projectcalico.org/v3');
    expect(obj.kind).toBe('GlobalNetworkPolicy');
    expect(obj.metadata).toEqual({ name: 'security.egress-payments', labels: { team: 'payments' } });
    expect(obj.spec.tier).toBe('security');
    expect(obj.spec.order).toBe(100.5);
    expect(obj.spec.types).toEqual(['Egress']);
    expect(obj.spec.egress[0]).toEqual({
      action: 'Allow',
      protocol: 'TCP',
      destination: { nets: ['203.0.113.0/24', '198.51.100.7'], ports: [443, '8000:8080', 'https'] },
      metadata: { annotations: { 'egress.cdk8s.io/rule': 'card-processor' } },
    });
    expect(obj.spec.egress[1]).toEqual({ action: 'Allow', protocol: 'ICMPv6', ipVersion: 6, icmp: { type: 128, code: 0 } });
    // A protocol given by number stays an integer.
    expect(obj.spec.egress[2].protocol).toBe(17);
    // Empty lists and objects are dropped, not rendered as [] or {}.
    expect(obj.spec.egress[3]).toEqual({ action: 'Deny', ipVersion: 4, destination: { notNets: ['10.0.0.0/8'] } });
    expect(obj.spec).not.toHaveProperty('ingress');
  });

  test('leaves out the chart namespace (cluster-scoped) and keeps a cdk8s-generated name valid', () => {
    const scoped = new Chart(Testing.app(), 'scoped', { namespace: 'team-a' });
    new CalicoGlobalNetworkPolicy(scoped, 'Deny', { spec: { egress: [{ action: CalicoAction.DENY }] } });
    const obj = only(scoped);
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(obj.spec).toEqual({ egress: [{ action: 'Deny' }] });
  });

  test('preDNAT ingress policy with applyOnForward', () => {
    const chart = Testing.chart();
    new CalicoGlobalNetworkPolicy(chart, 'P', {
      metadata: { name: 'pre-dnat' },
      spec: { preDNAT: true, applyOnForward: true, types: [CalicoPolicyType.INGRESS], ingress: [{ action: CalicoAction.DENY, source: { nets: ['0.0.0.0/0'] } }] },
    });
    expect(only(chart).spec).toEqual({
      preDNAT: true, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Deny', source: { nets: ['0.0.0.0/0'] } }],
    });
  });
});

describe('CalicoNetworkPolicy', () => {
  test('takes the chart namespace and renders an ingress HTTP rule', () => {
    const scoped = new Chart(Testing.app(), 'scoped', { namespace: 'shop' });
    new CalicoNetworkPolicy(scoped, 'Web', {
      metadata: { name: 'web' },
      spec: {
        selector: 'app == "web"',
        ingress: [{
          action: CalicoAction.ALLOW,
          protocol: CalicoProtocol.TCP,
          source: { serviceAccounts: { names: ['frontend'] }, namespaceSelector: 'global()' },
          http: { methods: ['GET'], paths: [{ prefix: '/api' }] },
        }],
        egress: [{ action: CalicoAction.ALLOW, destination: { services: { name: 'db', namespace: 'data' } } }],
      },
    });
    const obj = only(scoped);
    expect(obj.kind).toBe('NetworkPolicy');
    expect(obj.metadata).toEqual({ name: 'web', namespace: 'shop' });
    expect(obj.spec.ingress[0].http).toEqual({ methods: ['GET'], paths: [{ prefix: '/api' }] });
    expect(obj.spec.ingress[0].source).toEqual({ serviceAccounts: { names: ['frontend'] }, namespaceSelector: 'global()' });
    expect(obj.spec.egress[0].destination).toEqual({ services: { name: 'db', namespace: 'data' } });
  });
});

describe('network sets', () => {
  test('NetworkSet keeps nets as given (bare IPs and host bits are allowed) in its namespace', () => {
    const chart = Testing.chart();
    new CalicoNetworkSet(chart, 'S', { metadata: { name: 'card-processor', namespace: 'payments', labels: { set: 'cards' } }, spec: { nets: ['203.0.113.0/24', '2001:db8::1', '10.1.2.3/8'] } });
    const obj = only(chart);
    expect(obj).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkSet',
      metadata: { name: 'card-processor', namespace: 'payments', labels: { set: 'cards' } },
      spec: { nets: ['203.0.113.0/24', '2001:db8::1', '10.1.2.3/8'] },
    });
  });

  test('GlobalNetworkSet without nets renders an empty spec object (the CRD requires spec)', () => {
    const scoped = new Chart(Testing.app(), 'scoped', { namespace: 'ignored' });
    new CalicoGlobalNetworkSet(scoped, 'S', { metadata: { name: 'empty.set' }, spec: {} });
    expect(only(scoped)).toEqual({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'empty.set' }, spec: {} });
  });
});

describe('CalicoIPPool', () => {
  test('renders an IPv4 pool with NAT outgoing and false flags kept', () => {
    const chart = Testing.chart();
    new CalicoIPPool(chart, 'Pool', {
      metadata: { name: 'batch-nat' },
      spec: {
        cidr: '10.250.0.0/22',
        blockSize: 26,
        natOutgoing: true,
        disabled: false,
        ipipMode: CalicoEncapsulationMode.NEVER,
        vxlanMode: CalicoEncapsulationMode.CROSS_SUBNET,
        nodeSelector: 'egress == "batch"',
        namespaceSelector: 'projectcalico.org/name == "batch"',
        allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD],
        assignmentMode: CalicoAssignmentMode.AUTOMATIC,
      },
    });
    expect(only(chart).spec).toEqual({
      cidr: '10.250.0.0/22',
      blockSize: 26,
      natOutgoing: true,
      disabled: false,
      ipipMode: 'Never',
      vxlanMode: 'CrossSubnet',
      nodeSelector: 'egress == "batch"',
      namespaceSelector: 'projectcalico.org/name == "batch"',
      allowedUses: ['Workload'],
      assignmentMode: 'Automatic',
    });
  });

  test('a disabled pool may be smaller than a block (the no-NAT technique)', () => {
    const chart = Testing.chart();
    new CalicoIPPool(chart, 'NoNat', { metadata: { name: 'no-nat-203-0-113-7' }, spec: { cidr: '203.0.113.7/32', disabled: true, natOutgoing: false } });
    expect(only(chart).spec).toEqual({ cidr: '203.0.113.7/32', disabled: true, natOutgoing: false });
  });

  test('IPv6 pool with default block size and a LoadBalancer pool', () => {
    const chart = Testing.chart();
    new CalicoIPPool(chart, 'V6', { metadata: { name: 'v6' }, spec: { cidr: 'fd00:10::/64' } });
    new CalicoIPPool(chart, 'Lb', { metadata: { name: 'lb' }, spec: { cidr: '192.0.2.0/24', allowedUses: [CalicoIPPoolAllowedUse.LOAD_BALANCER], nodeSelector: 'all()' } });
    const [v6, lb] = Testing.synth(chart);
    expect(v6.spec).toEqual({ cidr: 'fd00:10::/64' });
    expect(lb.spec.allowedUses).toEqual(['LoadBalancer']);
  });
});
