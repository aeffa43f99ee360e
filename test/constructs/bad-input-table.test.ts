/**
 * Issue 21, item 13: a broad table of bad inputs, fed through every public construct and value factory. Each
 * must be refused with one of our errors: the construct path it was declared at (or the factory the user
 * called), the field and value, and a hint; never a TypeError or another library's message.
 */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AllowExternal, CalicoAction, CalicoEnterpriseGateway, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkSet, CalicoIPPool,
  CalicoNetworkPolicy, CalicoNetworkSet, CalicoPort, CalicoProtocol, CalicoStagedGlobalNetworkPolicy, CalicoTier, Cidr,
  CiliumClusterwideNetworkPolicy, CiliumEgressGatewayPolicy,
  ClusterNetwork, Destination, DestinationSet, EgressGateway, EgressReview, EgressZone, FirewallExport, FirewallFormat, NatPool,
  Port, Protocol, Selector,
} from '../../src';
import { chartFor } from '../meaning/support';

/** Ours: `<field> "<value>" <why> (at <path>)` or `(in <Factory>())`, then `; hint: …`. */
const OURS = /^\S.* "[^"]*" .+ \((at [^)]+|in [A-Z][A-Za-z]*\.[a-zA-Z]+\(\))\)(; hint: .+)?$/s;

function refusal(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}

function expectOurs(fn: () => unknown, where: RegExp, hint = true): void {
  const e = refusal(fn);
  expect(e).not.toBeInstanceOf(TypeError);
  expect(e).not.toBeInstanceOf(RangeError);
  expect(e.message).toMatch(OURS);
  expect(e.message).toMatch(where);
  if (hint) expect(e.message).toMatch(/; hint: \S/);
}

const zoneIn = (c: Construct) => new EgressZone(c, 'ok', { namespaces: ['ok'] });
const cidr = Destination.cidr('203.0.113.0/24');
const gw = (c: Construct, props: object = {}) => new EgressGateway(c, 'gw', { namespace: 'egress', egressCidr: '198.18.0.0/29', ...props });
const policy = (spec: object) => (c: Construct) => new CalicoGlobalNetworkPolicy(c, 'p', { metadata: { name: 'p' }, spec: spec as any });

// [what, builds the bad declaration in a chart with a ClusterNetwork]
const CONSTRUCTS: [string, (c: Chart) => unknown, RegExp][] = [
  ['EgressZone without namespaces', c => new EgressZone(c, 'z', { namespaces: [] }), /\(at egress\/z\)/],
  ['EgressZone bad namespace', c => new EgressZone(c, 'z', { namespaces: ['Bad_NS'] }), /^namespaces\[0\] "Bad_NS".*\(at egress\/z\)/],
  ['EgressZone bad name', c => new EgressZone(c, 'z', { namespaces: ['a'], name: 'Not A Label' }), /^name "Not A Label"/],
  ['EgressZone negative order', c => new EgressZone(c, 'z', { namespaces: ['a'], order: -1 }), /^order "-1"/],
  ['EgressZone bad tier', c => new EgressZone(c, 'z', { namespaces: ['a'], tier: 'Security Tier' }), /^tier "Security Tier"/],
  ['EgressZone negative tierOrder', c => new EgressZone(c, 'z', { namespaces: ['a'], tier: 'security', tierOrder: -5 }), /^tierOrder "-5" .*\(at egress\/z\); hint: /],
  ['EgressZone global() pods', c => new EgressZone(c, 'z', { namespaces: ['a'], podSelector: Selector.global() }), /^podSelector "global\(\)"/],
  ['EgressZone dns namespace', c => new EgressZone(c, 'z', { namespaces: ['a'], dns: { namespace: ' a' } }), /^dns\.namespace " a"/],
  ['EgressZone dns ports []', c => new EgressZone(c, 'z', { namespaces: ['a'], dns: { ports: [] } }), /^dns\.ports "\[\]"/],
  ['EgressZone dns cidr', c => new EgressZone(c, 'z', { namespaces: ['a'], dns: { cidrs: ['300.1.1.1/32'] } }), /^dns\.cidrs\[0\] "300\.1\.1\.1\/32"/],
  ['zone.allow no destinations', c => zoneIn(c).allow('r', { to: [] }), /^to "\[\]".*\(at egress\/ok\/r\)/],
  ['zone.allow bad CIDR', c => zoneIn(c).allow('r', { to: [Destination.cidr('300.1.1.1')] }), /"300\.1\.1\.1".*\(at egress\/ok\/r/],
  ['zone.allow empty ports', c => zoneIn(c).allow('r', { to: [cidr], ports: [] }), /^ports "\[\]".*\(at egress\/ok\/r\)/],
  ['zone.allow a port that is a string', c => zoneIn(c).allow('r', { to: [cidr], ports: ['tcp/443' as any] }), /^ports\[0\] "tcp\/443" is not a Port \(at egress\/ok\/r\); hint: Port\.parse/],
  ['zone.allow a port that is a number', c => zoneIn(c).allow('r', { to: [cidr], ports: [443 as any, Port.tcp(80)] }), /^ports\[0\] "443" is not a Port \(at egress\/ok\/r\)/],
  ['zone.allow empty id', c => zoneIn(c).allow('', { to: [cidr] }), /\(at egress\/ok\/?\)/],
  ['zone.allow bad name', c => zoneIn(c).allow('r', { to: [cidr], name: 'Bad Name' }), /^name "Bad Name"/],
  ['AllowExternal no zones', c => new AllowExternal(c, 'r', { zones: [], to: [cidr] }), /\(at egress\/r\)/],
  ['AllowExternal bad domain', c => new AllowExternal(c, 'r', { zones: [zoneIn(c)], to: [Destination.domain('exa mple.com')] }), /"exa mple\.com".*\(at egress\/r/],
  ['DestinationSet bad CIDR', c => new DestinationSet(c, 's', { cidrs: ['10.0.0.0/33'] }), /"10\.0\.0\.0\/33".*\(at egress\/s/],
  ['DestinationSet bad name', c => new DestinationSet(c, 's', { name: 'Bad_Name', cidrs: ['203.0.113.0/24'] }), /^name "Bad_Name"/],
  ['NatPool bad CIDR', c => new NatPool(c, 'p', { cidr: 'nope' }), /"nope".*\(at egress\/p\)/],
  ['NatPool bad block size', c => new NatPool(c, 'p', { cidr: '100.64.0.0/16', blockSize: 7 }), /^blockSize "7".*\(at egress\/p\)/],
  ['NatPool bad namespace', c => new NatPool(c, 'p', { cidr: '100.64.0.0/16', namespaces: ['Bad_NS'] }), /"Bad_NS".*\(at egress\/p\)/],
  ['ClusterNetwork bad pod range', c => new ClusterNetwork(new Chart(c, 'other'), 'n', { podCidrs: ['nope'] }), /"nope".*\(at egress\/other\/n\)/],
  ['ClusterNetwork overlapping ranges', c => new ClusterNetwork(new Chart(c, 'other'), 'n', { podCidrs: ['10.0.0.0/8'], serviceCidrs: ['10.96.0.0/12'] }), /\(at egress\/other\/n\)/],
  ['ClusterNetwork DNS Service range', c => new ClusterNetwork(new Chart(c, 'other'), 'n', { dnsServiceAddress: '10.96.0.0/24' }),
    /^dnsServiceAddress "10\.96\.0\.0\/24" is a range, not one address \(at egress\/other\/n\); hint: e\.g\. "10\.96\.0\.0"$/],
  ['ClusterNetwork API server port', c => new ClusterNetwork(new Chart(c, 'other'), 'n', { apiServerAddresses: ['192.0.2.10/32'], apiServerPort: 70000 }),
    /^apiServerPort "70000" is not a port number \(1-65535\) \(at egress\/other\/n\); hint: /],
  ['EgressGateway too many replicas', c => gw(c, { replicas: 99 }), /^replicas "99".*\(at egress\/gw\)/],
  ['EgressGateway bad namespace', c => gw(c, { namespace: 'Egress' }), /^namespace "Egress".*\(at egress\/gw\)/],
  ['EgressGateway bad range', c => gw(c, { egressCidr: '198.18.0.300/29' }), /^egressCidr "198\.18\.0\.300\/29".*\(at egress\/gw\)/],
  ['CalicoEnterpriseGateway bad range', c => new CalicoEnterpriseGateway(c, 'eg', { namespace: 'egress', egressCidr: 'nope' }), /^egressCidr "nope".*\(at egress\/eg\)/],
  ['FirewallExport no formats', c => new FirewallExport(c, 'fw', { formats: [] }), /"\[\]".*\(at egress\/fw\)/],
];

// The L1 Calico and Cilium objects mirror the projects' own APIs and give their validators' reasons; a hint
// where one is obvious.
const L1_OBJECTS: [string, (c: Chart) => unknown, RegExp][] = [
  ['CalicoGlobalNetworkPolicy bad selector', policy({ selector: 'a ==' }), /"a ==" is not a valid Calico selector[\s\S]*\(at egress\/p\)/],
  ['CalicoGlobalNetworkPolicy ICMP type 300', policy({ egress: [{ action: CalicoAction.ALLOW, protocol: CalicoProtocol.ICMP, icmp: { type: 300 } }] }), /^spec\.egress\[0\]\.icmp\.type "300".*\(at egress\/p\)/],
  ['CalicoNetworkPolicy bad namespace', c => new CalicoNetworkPolicy(c, 'p', { metadata: { name: 'p', namespace: 'Bad_NS' }, spec: {} }), /"Bad_NS".*\(at egress\/p\)/],
  ['CalicoGlobalNetworkSet bad net', c => new CalicoGlobalNetworkSet(c, 's', { metadata: { name: 's' }, spec: { nets: ['nope'] } }), /"nope".*\(at egress\/s\)/],
  ['CalicoNetworkSet bad name', c => new CalicoNetworkSet(c, 's', { metadata: { name: 'Bad_Name', namespace: 'a' }, spec: {} }), /"Bad_Name".*\(at egress\/s\)/],
  ['CalicoIPPool bad CIDR', c => new CalicoIPPool(c, 'pool', { metadata: { name: 'pool' }, spec: { cidr: 'nope' } }), /"nope".*\(at egress\/pool\)/],
  ['CiliumEgressGatewayPolicy bad egress IP', c => new CiliumEgressGatewayPolicy(c, 'eg', {
    metadata: { name: 'eg' }, spec: { selectors: [{ podSelector: {} }], destinationCIDRs: ['0.0.0.0/0'], egressGateway: { nodeSelector: {}, egressIP: 'nope' } },
  }), /^spec\.egressGateway\.egressIP "nope" .*\(at egress\/eg\); hint: /],
  ['CiliumEgressGatewayPolicy bad destination', c => new CiliumEgressGatewayPolicy(c, 'eg', {
    metadata: { name: 'eg' }, spec: { selectors: [{ podSelector: {} }], destinationCIDRs: ['10.0.0.0/33'], egressGateway: { nodeSelector: {} } },
  }), /^spec\.destinationCIDRs\[0\] "10\.0\.0\.0\/33" .*\(at egress\/eg\); hint: /],
  ['CiliumEgressGatewayPolicy without a spec', c => new CiliumEgressGatewayPolicy(c, 'eg', { metadata: { name: 'eg' } } as any), /^spec "undefined" is required \(at egress\/eg\); hint: /],
  ['CiliumClusterwideNetworkPolicy neither spec nor specs', c => new CiliumClusterwideNetworkPolicy(c, 'cp', { metadata: { name: 'cp' } }), /^spec\/specs "neither" is given: exactly one of them must be \(at egress\/cp\); hint: /],
];

// Construct ids: the constructs library's own errors name no path and no kind.
const KINDS: [string, (c: Construct, id: string) => unknown][] = [
  ['EgressZone', (c, id) => new EgressZone(c, id, { namespaces: ['a'] })],
  ['AllowExternal', (c, id) => new AllowExternal(c, id, { zones: [(c.node.tryFindChild('zone') as EgressZone) ?? new EgressZone(c, 'zone', { namespaces: ['a'] })], to: [cidr] })],
  ['DestinationSet', (c, id) => new DestinationSet(c, id, { cidrs: ['203.0.113.0/24'] })],
  ['NatPool', (c, id) => new NatPool(c, id, { cidr: '100.64.0.0/16' })],
  ['ClusterNetwork', (c, id) => new ClusterNetwork(c, id, {})],
  ['EgressGateway', (c, id) => new EgressGateway(c, id, { namespace: 'egress', egressCidr: '198.18.0.0/29' })],
  ['CalicoEnterpriseGateway', (c, id) => new CalicoEnterpriseGateway(c, id, { namespace: 'egress', egressCidr: '198.18.0.0/29' })],
  ['FirewallExport', (c, id) => new FirewallExport(c, id, { formats: [FirewallFormat.CSV] })],
  ['EgressReview', (c, id) => new EgressReview(c, id)],
  ['CalicoGlobalNetworkPolicy', (c, id) => new CalicoGlobalNetworkPolicy(c, id, { metadata: { name: 'p' }, spec: {} })],
  ['CalicoStagedGlobalNetworkPolicy', (c, id) => new CalicoStagedGlobalNetworkPolicy(c, id, { metadata: { name: 'p' }, spec: {} })],
  ['CalicoTier', (c, id) => new CalicoTier(c, id, { metadata: { name: 't' }, spec: {} })],
  ['CalicoNetworkPolicy', (c, id) => new CalicoNetworkPolicy(c, id, { metadata: { name: 'p', namespace: 'a' }, spec: {} })],
  ['CalicoGlobalNetworkSet', (c, id) => new CalicoGlobalNetworkSet(c, id, { metadata: { name: 's' }, spec: {} })],
  ['CalicoNetworkSet', (c, id) => new CalicoNetworkSet(c, id, { metadata: { name: 's', namespace: 'a' }, spec: {} })],
  ['CalicoIPPool', (c, id) => new CalicoIPPool(c, id, { metadata: { name: 'pool' }, spec: { cidr: '100.64.0.0/16' } })],
  ['CiliumClusterwideNetworkPolicy', (c, id) => new CiliumClusterwideNetworkPolicy(c, id, { metadata: { name: 'cp' }, spec: { endpointSelector: {} } })],
  ['CiliumEgressGatewayPolicy', (c, id) => new CiliumEgressGatewayPolicy(c, id, {
    metadata: { name: 'eg' }, spec: { selectors: [{ podSelector: {} }], destinationCIDRs: ['0.0.0.0/0'], egressGateway: { nodeSelector: {} } },
  })],
];

const FACTORIES: [string, () => unknown, RegExp][] = [
  ['Port.tcp(70000)', () => Port.tcp(70000), /\(in Port\.tcp\(\)\)/],
  ['Port.udpRange(9, 3)', () => Port.udpRange(9, 3), /\(in Port\.udpRange\(\)\)/],
  ['Port.icmp type 300', () => Port.icmp({ type: 300 }), /\(in Port\.icmp\(\)\)/],
  ['Port.named("HTTPS")', () => Port.named('HTTPS'), /\(in Port\.named\(\)\)/],
  ['Port.parse("tcp/")', () => Port.parse('tcp/'), /\(in Port\.parse\(\)\)/],
  ['Protocol.of(0)', () => Protocol.of(0), /\(in Protocol\.of\(\)\)/],
  ['Cidr.parse("10.0.0.0/33")', () => Cidr.parse('10.0.0.0/33'), /^cidr "10\.0\.0\.0\/33" .*\(in Cidr\.parse\(\)\)/],
  ['CalicoPort.of(0)', () => CalicoPort.of(0), /\(in CalicoPort\.of\(\)\)/],
  ['CalicoPort.parse("9:3")', () => CalicoPort.parse('9:3'), /\(in CalicoPort\.parse\(\)\)/],
  ['CalicoProtocol.of(256)', () => CalicoProtocol.of(256), /\(in CalicoProtocol\.of\(\)\)/],
];

describe('every public construct refuses bad props with our error', () => {
  test.each(CONSTRUCTS)('%s', (_what, build, where) => {
    const { chart } = chartFor('calico');
    expectOurs(() => build(chart), where);
  });
});

describe('the L1 objects refuse bad specs with our error', () => {
  test.each(L1_OBJECTS)('%s', (_what, build, where) => {
    const { chart } = chartFor('calico');
    expectOurs(() => build(chart), where, false);
  });
});

describe('construct ids', () => {
  test.each(KINDS)('%s with an empty id, and with a taken one', (kind, build) => {
    const chart = new Chart(Testing.app(), 'egress');
    expectOurs(() => build(chart, ''), new RegExp(`^${kind} id "" is empty.*\\(at egress\\)`));
    build(chart, 'x');
    expectOurs(() => build(chart, 'x'), new RegExp(`^${kind} id "x" is already taken by another construct in egress \\(at egress/x\\)`));
  });
});

describe('value factories name themselves', () => {
  test.each(FACTORIES)('%s', (_what, make, where) => expectOurs(make, where));
});

describe('synth-time problems name the declaring constructs', () => {
  test('an egress range inside the node range, and egress addresses two gateways share', () => {
    const { chart } = chartFor('calico', { nodeCidrs: ['192.0.2.0/24'] });
    const inNodes = new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.64/29' });
    new EgressZone(chart, 'z', { namespaces: ['a'], gateway: inNodes });
    expectOurs(() => Testing.synth(chart), /^egressIps "192\.0\.2\.64\/29" is inside the node range .*\(at egress\/gw\)/);
  });
});
