import { Chart, Testing } from 'cdk8s';
import {
  CalicoAction, CalicoAssignmentMode, CalicoEncapsulationMode, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkSet, CalicoIPPool,
  CalicoIPPoolAllowedUse, CalicoNetworkPolicy, CalicoNetworkSet, CalicoPolicyType, CalicoPort, CalicoProtocol, CalicoTier,
} from '../../src/calico';
import { calicoCrdKinds, describeWithCalicoCrds, validateAgainstCalicoCrd } from '../support/calico-schema';

/** One of each kind, using most fields, as the constructs render them. */
function synthesizeAll(): any[] {
  const chart = new Chart(Testing.app(), 'all', { namespace: 'payments' });
  new CalicoTier(chart, 'Tier', { metadata: { name: 'security' }, spec: { order: 100 } });
  new CalicoNetworkPolicy(chart, 'Np', {
    metadata: { name: 'security.web', labels: { app: 'web' } },
    spec: {
      tier: 'security',
      order: 10,
      selector: 'app == "web"',
      serviceAccountSelector: 'role == "web"',
      types: [CalicoPolicyType.INGRESS, CalicoPolicyType.EGRESS],
      performanceHints: ['AssumeNeededOnEveryNode'],
      ingress: [{
        action: CalicoAction.ALLOW,
        protocol: CalicoProtocol.TCP,
        source: { selector: 'app == "lb"', namespaceSelector: 'global()', notNets: ['10.9.0.0/16'], serviceAccounts: { names: ['lb'], selector: 'a == "b"' } },
        destination: { ports: [CalicoPort.of(8443), CalicoPort.named('https')] },
        http: { methods: ['GET', 'POST'], paths: [{ exact: '/healthz' }, { prefix: '/api/' }] },
      }],
      egress: [
        { action: CalicoAction.ALLOW, protocol: CalicoProtocol.UDP, destination: { services: { name: 'kube-dns', namespace: 'kube-system' } } },
        { action: CalicoAction.ALLOW, protocol: CalicoProtocol.ICMP, ipVersion: 4, icmp: { type: 8, code: 0 }, notICMP: { type: 5 } },
        { action: CalicoAction.LOG, notProtocol: CalicoProtocol.of(132), destination: { nets: ['2001:db8::/32'] } },
        {
          action: CalicoAction.PASS,
          protocol: CalicoProtocol.of(6),
          source: { ports: [CalicoPort.range(1024, 65535)] },
          destination: { notPorts: [CalicoPort.of(25)] },
        },
      ],
    },
  });
  new CalicoGlobalNetworkPolicy(chart, 'Gnp', {
    metadata: { name: 'egress-batch' },
    spec: {
      order: 0.5,
      selector: 'has(batch)',
      namespaceSelector: 'team in {"a", "b"}',
      types: [CalicoPolicyType.EGRESS],
      egress: [{ action: CalicoAction.DENY, ipVersion: 4, destination: { notNets: ['10.0.0.0/8', '192.168.0.0/16'] }, metadata: { annotations: { why: 'external' } } }],
    },
  });
  new CalicoGlobalNetworkPolicy(chart, 'PreDnat', {
    metadata: { name: 'pre-dnat' },
    spec: { preDNAT: true, applyOnForward: true, ingress: [{ action: CalicoAction.DENY, source: { nets: ['198.51.100.0/24'] } }] },
  });
  new CalicoNetworkSet(chart, 'Ns', { metadata: { name: 'cards', labels: { set: 'cards' } }, spec: { nets: ['203.0.113.0/24', '2001:db8::1'] } });
  new CalicoGlobalNetworkSet(chart, 'Gns', { metadata: { name: 'object-storage' }, spec: { nets: ['192.0.2.0/24'] } });
  new CalicoGlobalNetworkSet(chart, 'Empty', { metadata: { name: 'empty' }, spec: {} });
  new CalicoIPPool(chart, 'Pool', {
    metadata: { name: 'batch' },
    spec: {
      cidr: '10.250.0.0/22',
      blockSize: 28,
      natOutgoing: true,
      ipipMode: CalicoEncapsulationMode.NEVER,
      vxlanMode: CalicoEncapsulationMode.ALWAYS,
      nodeSelector: 'all()',
      namespaceSelector: 'team == "batch"',
      allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD],
      assignmentMode: CalicoAssignmentMode.MANUAL,
    },
  });
  new CalicoIPPool(chart, 'V6', { metadata: { name: 'v6' }, spec: { cidr: 'fd00:10::/120', disableBGPExport: true } });
  new CalicoIPPool(chart, 'NoNat', { metadata: { name: 'no-nat' }, spec: { cidr: '203.0.113.7/32', disabled: true, natOutgoing: false, nodeSelector: '!all()' } });
  new CalicoIPPool(chart, 'Lb', { metadata: { name: 'lb' }, spec: { cidr: '192.0.2.0/26', allowedUses: [CalicoIPPoolAllowedUse.LOAD_BALANCER] } });
  return Testing.synth(chart);
}

describeWithCalicoCrds('Calico objects validate against the Calico v3 CRDs', () => {
  test('the CRDs of all six kinds are there (Tier from the release manifest)', () => {
    expect(calicoCrdKinds()).toEqual(expect.arrayContaining(['GlobalNetworkPolicy', 'GlobalNetworkSet', 'IPPool', 'NetworkPolicy', 'NetworkSet', 'Tier']));
  });

  test('every synthesized object passes the schema and the CEL rules', () => {
    const objects = synthesizeAll();
    expect(objects.map(o => o.kind)).toEqual(['Tier', 'NetworkPolicy', 'GlobalNetworkPolicy', 'GlobalNetworkPolicy', 'NetworkSet', 'GlobalNetworkSet',
      'GlobalNetworkSet', 'IPPool', 'IPPool', 'IPPool', 'IPPool']);
    for (const obj of objects) expect([obj.metadata.name, validateAgainstCalicoCrd(obj)]).toEqual([obj.metadata.name, []]);
  });
});

// The helper must catch what it is there to catch; these objects are written by hand, bypassing the constructs.
describeWithCalicoCrds('validateAgainstCalicoCrd finds problems', () => {
  const gnp = (spec: any, metadata: any = { name: 'x' }) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata, spec });
  const pool = (spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'p' }, spec });

  test.each([
    ['unknown kind', { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'x' }, spec: {} }, /kind: no Calico v3 CRD for kind "HostEndpoint"/],
    ['Tier order', { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'x' }, spec: { order: 'first' } }, /spec\.order: must be number/],
    ['Tier defaultAction', { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'x' }, spec: { defaultAction: 'Allow' } }, /spec\.defaultAction: must be equal to one of the allowed values/],
    ['wrong apiVersion', { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool' }, /apiVersion: "crd\.projectcalico\.org\/v1" is not projectcalico\.org\/v3/],
    ['enum', gnp({ egress: [{ action: 'allow' }] }), /spec\.egress\[0\]\.action: must be equal to one of the allowed values/],
    ['unknown field', gnp({ egres: [] }), /spec: must NOT have additional properties "egres"/],
    ['missing spec', { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'x' } }, /\(root\): must have required property 'spec'/],
    ['int-or-string port', gnp({ egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [true] } }] }), /spec\.egress\[0\]\.destination\.ports\[0\]: must be integer/],
    ['ICMP type range', gnp({ egress: [{ action: 'Allow', protocol: 'ICMP', icmp: { type: 255 } }] }), /spec\.egress\[0\]\.icmp\.type: must be <= 254/],
    ['set list', gnp({ egress: [{ action: 'Allow', destination: { nets: ['10.0.0.0/8', '10.0.0.0/8'] } }] }), /destination\.nets: must NOT have duplicate items/],
    ['namespace on cluster kind', gnp({}, { name: 'x', namespace: 'n' }), /metadata\.namespace: set on cluster-scoped kind GlobalNetworkPolicy/],
    ['namespaced kind without namespace', { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'x' }, spec: {} }, /metadata\.namespace: required for namespaced kind NetworkSet/],
    ['CEL: HTTP on Deny', gnp({ ingress: [{ action: 'Deny', http: { methods: ['GET'] } }] }), /spec\.ingress\[0\]: HTTP match is only valid on Allow rules/],
    ['CEL: HTTP with UDP', gnp({ ingress: [{ action: 'Allow', protocol: 'UDP', http: {} }] }), /spec\.ingress\[0\]: rules with HTTP match must have protocol TCP or unset/],
    ['CEL: ICMP with ipVersion 6 (numeric protocol)', gnp({ egress: [{ action: 'Allow', protocol: 1, ipVersion: 6 }] }), /spec\.egress\[0\]: protocol ICMP requires ipVersion 4/],
    ['CEL: icmp code without type', gnp({ egress: [{ action: 'Allow', protocol: 'ICMP', icmp: { code: 1 } }] }), /spec\.egress\[0\]\.icmp: ICMP code specified without an ICMP type/],
    ['CEL: global() in selector', gnp({ selector: 'global()' }), /spec: global\(\) can only be used in an EntityRule namespaceSelector/],
    ['CEL: services with nets', gnp({ egress: [{ action: 'Allow', destination: { services: { name: 's' }, nets: ['10.0.0.0/8'] } }] }), /spec\.egress\[0\]\.destination: cannot specify Nets\/NotNets and Services/],
    ['CEL: preDNAT egress', gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: 'Deny' }] }), /spec: preDNAT policy cannot have any egress rules/],
    ['CEL: applyOnForward', gnp({ doNotTrack: true }), /spec: applyOnForward must be true if either preDNAT or doNotTrack is true/],
    ['format cidr', pool({ cidr: '10.0.0.0' }), /spec\.cidr: must match format "cidr"/],
    ['CEL: pool not masked', pool({ cidr: '10.0.0.1/16' }), /spec: IPPool CIDR must be strictly masked/],
    ['CEL: pool link-local', pool({ cidr: '169.254.0.0/24' }), /spec: IPPool CIDR overlaps with IPv4 link local range/],
    ['CEL: pool IPv6 link-local', pool({ cidr: 'fe80::/64' }), /spec: IPPool CIDR overlaps with IPv6 link local range/],
    ['CEL: block size', pool({ cidr: 'fd00::/64', blockSize: 100 }), /spec: blockSize must be between 20 and 32 for IPv4 pools, and between 116 and 128 for IPv6 pools/],
    ['CEL: pool too small', pool({ cidr: '10.0.0.0/28' }), /spec: IP pool size is too small for use with Calico IPAM/],
    ['CEL: IPIP on IPv6', pool({ cidr: 'fd00::/64', ipipMode: 'Always' }), /spec: IPIP is not supported on IPv6 pools/],
    ['CEL: IPIP and VXLAN', pool({ cidr: '10.0.0.0/16', ipipMode: 'Always', vxlanMode: 'CrossSubnet' }), /spec: ipipMode and vxlanMode cannot both be enabled/],
    ['CEL: LoadBalancer nodeSelector', pool({ cidr: '10.0.0.0/16', allowedUses: ['LoadBalancer'], nodeSelector: 'a == "b"' }), /spec: IP Pool with AllowedUse LoadBalancer must have nodeSelector set to all\(\)/],
    ['CEL: Tunnel with namespaceSelector', pool({ cidr: '10.0.0.0/16', allowedUses: ['Tunnel'], namespaceSelector: 'a == "b"' }), /spec: IP Pool with AllowedUse Tunnel cannot have namespaceSelector/],
  ])('%s', (_name, obj, message) => {
    const errors = validateAgainstCalicoCrd(obj);
    expect(errors.join('\n')).toMatch(message);
  });

  test('a valid LoadBalancer pool passes: the CRD default nodeSelector all() is applied before CEL', () => {
    expect(validateAgainstCalicoCrd(pool({ cidr: '192.0.2.0/26', allowedUses: ['LoadBalancer'] }))).toEqual([]);
  });

  test('the object given is not modified (defaults go into a copy)', () => {
    const obj = pool({ cidr: '192.0.2.0/26' });
    validateAgainstCalicoCrd(obj);
    expect(obj.spec).toEqual({ cidr: '192.0.2.0/26' });
  });
});
