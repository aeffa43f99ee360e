import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { synth, synthError } from './render-helpers';
import { validateObject } from './validate-objects';
import { Backend } from '../../src/backends/backend';
import { main } from '../../src/cli/main';
import { CalicoEnterpriseGateway } from '../../src/constructs/calico-enterprise-gateway';
import { ClusterNetwork } from '../../src/constructs/cluster-network';
import { Destination } from '../../src/constructs/destination';
import { DestinationSet } from '../../src/constructs/destination-set';
import { EgressZone } from '../../src/constructs/egress-zone';
import { NatPool } from '../../src/constructs/nat-pool';
import { Enforcement } from '../../src/model/enforcement';
import { InClusterTraffic } from '../../src/model/in-cluster-traffic';
import { Port } from '../../src/model/port';
import { CanReach } from '../../src/review/can-reach';
import { EgressModel } from '../../src/synth/egress-model';
import { clusterChart, dataPathOf, gateway } from '../constructs/egress-gateway-fixture';
import { describeWithCalicoCrds } from '../support/calico-schema';

/** An estate with every part a zone's policies can have: tiers, sets, the API server, in-cluster choices, pools. */
function estate(chart: Chart, enforcement: Enforcement | undefined, domains: boolean): void {
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/24'], apiServerAddresses: ['192.0.2.10'] });
  const partners = new DestinationSet(chart, 'partners', { cidrs: ['198.51.100.0/24', '203.0.113.0/25'], domains: domains ? ['api.example.com'] : undefined });
  const pool = new NatPool(chart, 'pool', { cidr: '10.250.0.0/24' });
  const shop = new EgressZone(chart, 'shop', { namespaces: ['shop'], tier: 'egress', enforcement, allowApiServer: true, inCluster: InClusterTraffic.DENY, natPools: [pool] });
  shop.allow('partners', { to: [Destination.set(partners)], ports: [Port.tcp(443)] });
  shop.allow('ntp', { to: [Destination.cidr('192.0.2.123/32')], ports: [Port.udp(123)] });
  const batch = new EgressZone(chart, 'batch', { namespaces: ['batch'], enforcement, inCluster: InClusterTraffic.ALLOW });
  batch.allow('partners', { to: [Destination.set(partners)], ports: [Port.tcp(443), Port.tcp(8443)] });
}

const STAGED_KINDS: { [kind: string]: string } = { StagedGlobalNetworkPolicy: 'GlobalNetworkPolicy', StagedNetworkPolicy: 'NetworkPolicy' };

describe('staged zones on Calico and Calico Enterprise', () => {
  for (const [backend, domains] of [[Backend.CALICO, false], [Backend.CALICO_ENTERPRISE, true]] as const) {
    test(`${backend.name}: staged and enforced output differ only in kind`, () => {
      const enforced = synth(backend, chart => estate(chart, undefined, domains));
      const staged = synth(backend, chart => estate(chart, Enforcement.STAGED, domains));
      expect(staged.length).toBe(enforced.length);
      const stagedKinds = staged.map(o => o.kind).filter(k => k in STAGED_KINDS);
      // Every policy the enforced zones emit is staged: two zones, two staged policies, no enforced one left.
      expect(stagedKinds).toEqual(['StagedGlobalNetworkPolicy', 'StagedGlobalNetworkPolicy']);
      expect(staged.filter(o => o.kind === 'GlobalNetworkPolicy')).toEqual([]);
      expect(staged.map(o => ({ ...o, kind: STAGED_KINDS[o.kind] ?? o.kind }))).toEqual(enforced);
    });
  }

  test('ClusterNetwork\'s enforcement is the default, a zone\'s own choice wins', () => {
    const objects = synth(Backend.CALICO, chart => {
      new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], enforcement: Enforcement.STAGED });
      new EgressZone(chart, 'web', { namespaces: ['web'] });
      new EgressZone(chart, 'db', { namespaces: ['db'], enforcement: Enforcement.ENFORCED });
    });
    const policies = objects.filter(o => /GlobalNetworkPolicy$/.test(o.kind)).map(o => `${o.kind} ${o.metadata.name}`).sort();
    expect(policies).toEqual(['GlobalNetworkPolicy egress-db', 'StagedGlobalNetworkPolicy egress-web']);
  });

  test('the model marks only staged zones', () => {
    const chart = Testing.chart();
    estate(chart, Enforcement.STAGED, false);
    new EgressZone(chart, 'ops', { namespaces: ['ops'], enforcement: Enforcement.ENFORCED });
    expect(EgressModel.of(chart).zones.map(z => [z.name, z.staged === true])).toEqual([['batch', true], ['ops', false], ['shop', true]]);
  });

  test('an enforcement that is not one of the choices is an error at the zone', () => {
    expect(() => new EgressZone(Testing.chart(), 'web', { namespaces: ['web'], enforcement: 'audit' as Enforcement }))
      .toThrow(/enforcement "audit" is not one of enforced, staged \(at .*web\); hint: use Enforcement.ENFORCED or Enforcement.STAGED/);
    expect(() => new ClusterNetwork(Testing.chart(), 'cluster', { enforcement: 'dry-run' as Enforcement }))
      .toThrow(/enforcement "dry-run" is not one of enforced, staged \(at .*cluster\)/);
  });
});

describeWithCalicoCrds('staged policies against Calico\'s CRDs', () => {
  test('every staged object of both Calico backends is valid', () => {
    for (const [backend, domains] of [[Backend.CALICO, false], [Backend.CALICO_ENTERPRISE, true]] as const) {
      const objects = synth(backend, chart => estate(chart, Enforcement.STAGED, domains));
      expect(objects.filter(o => o.kind === 'StagedGlobalNetworkPolicy')).toHaveLength(2);
      expect(objects.flatMap(validateObject)).toEqual([]);
    }
  });

  test('the schema guard checks the staged kinds (stagedAction, unknown fields, the rules\' CEL checks)', () => {
    const objects = synth(Backend.CALICO, chart => estate(chart, Enforcement.STAGED, false));
    const policy = objects.find(o => o.kind === 'StagedGlobalNetworkPolicy');
    expect(validateObject({ ...policy, spec: { ...policy.spec, stagedAction: 'Set' } })).toEqual([]);
    expect(validateObject({ ...policy, spec: { ...policy.spec, stagedAction: 'Enforce' } }).join('\n')).toMatch(/stagedAction: must be equal to one of the allowed values/);
    expect(validateObject({ ...policy, spec: { ...policy.spec, enforce: true } }).join('\n')).toMatch(/must NOT have additional properties "enforce"/);
    // The staged CRD carries the policy's CEL rules (Calico's validation of the rules themselves).
    const badRule = { action: 'Allow', protocol: 'ICMP', ipVersion: 6 };
    expect(validateObject({ ...policy, spec: { ...policy.spec, egress: [badRule] } }).join('\n')).toMatch(/spec.egress\[0\]: protocol ICMP requires ipVersion 4/);
  });
});

describe('staged zones on backends without a staged kind', () => {
  test('Cilium rejects a staged zone at its path, and says what Cilium has instead', () => {
    const message = synthError(Backend.CILIUM, chart => {
      new EgressZone(chart, 'web', { namespaces: ['web'], enforcement: Enforcement.STAGED });
    });
    expect(message).toMatch(/backend "cilium" cannot express a staged zone \(zone "web": Cilium has no staged policy; its policy audit mode is set per endpoint or for the whole agent, not per policy\) \(at test\/web\); hint: .*policy audit mode/);
  });

  test('Kubernetes rejects a staged zone at its path with a hint', () => {
    const message = synthError(Backend.KUBERNETES, chart => {
      new ClusterNetwork(chart, 'cluster', { enforcement: Enforcement.STAGED });
      new EgressZone(chart, 'web', { namespaces: ['web'] });
    });
    expect(message).toMatch(/backend "kubernetes" cannot express a staged zone \(zone "web": NetworkPolicy has no staged or audit mode; the policy would be enforced\) \(at test\/web\); hint: leave the zone enforced/);
  });

  test('enforced zones of those backends are unaffected', () => {
    for (const backend of [Backend.CILIUM, Backend.KUBERNETES]) {
      expect(synth(backend, chart => new EgressZone(chart, 'web', { namespaces: ['web'], enforcement: Enforcement.ENFORCED })).length).toBeGreaterThan(0);
    }
  });
});

describe('staged gateway zones', () => {
  function gatewayEstate(enforcement?: Enforcement): Chart {
    const chart = clusterChart();
    const gw = gateway(chart);
    const zone = new EgressZone(chart, 'batch', { namespaces: ['batch'], gateway: gw, enforcement });
    zone.allow('partner', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.tcp(443)] });
    new EgressZone(chart, 'web', { namespaces: ['web'], gateway: gw }).allow('partner', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
    return chart;
  }

  test('the data path does not steer a staged zone\'s pods until it is enforced', () => {
    const steered = (c: Chart) => dataPathOf(Testing.synth(c)).zones.map(z => z.name).sort();
    expect(steered(gatewayEstate())).toEqual(['batch', 'web']);
    expect(steered(gatewayEstate(Enforcement.STAGED))).toEqual(['web']);
  });

  test('Calico Enterprise: a staged zone gets no EgressGatewayPolicy and no namespace annotation; its gateway is still written', () => {
    const build = (enforcement?: Enforcement) => synth(Backend.CALICO_ENTERPRISE, chart => {
      new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
      const gw = new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' });
      new EgressZone(chart, 'batch', { namespaces: ['batch'], gateway: gw, enforcement });
    });
    const steering = (objects: any[]) => objects.filter(o => o.kind === 'EgressGatewayPolicy' || (o.kind === 'Namespace' && o.metadata.annotations)).map(o => o.kind);
    expect(steering(build())).toEqual(['EgressGatewayPolicy', 'Namespace']);
    const staged = build(Enforcement.STAGED);
    expect(steering(staged)).toEqual([]);
    expect(staged.filter(o => o.kind === 'EgressGateway' || o.kind === 'StagedGlobalNetworkPolicy').map(o => o.kind).sort()).toEqual(['EgressGateway', 'StagedGlobalNetworkPolicy']);
  });

  test('can-reach says the deciding zone is staged, with the verdict the enforced zone gives', () => {
    const doc = EgressModel.of(gatewayEstate(Enforcement.STAGED));
    const allowed = CanReach.evaluate(doc, { namespace: 'batch', ...CanReach.parseDestination('198.51.100.7:443/tcp') });
    expect(allowed).toMatchObject({ allowed: true, zone: 'batch', rule: 'partner', staged: true });
    expect(allowed.reason).toMatch(/^zone "batch" is staged \(not enforced yet/);
    const denied = CanReach.evaluate(doc, { namespace: 'batch', ...CanReach.parseDestination('192.0.2.200:22/tcp') });
    expect(denied).toMatchObject({ allowed: false, zone: 'batch', staged: true });
    expect(CanReach.evaluate(doc, { namespace: 'web', ...CanReach.parseDestination('203.0.113.7:443/tcp') }).staged).toBeUndefined();
  });

  test('the can-reach command says so, and that the gateway\'s source applies only once the zone is enforced', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-staged-'));
    try {
      const model = path.join(dir, 'egress-model.json');
      fs.writeFileSync(model, EgressModel.toJson(gatewayEstate(Enforcement.STAGED)));
      const out: string[] = [];
      const code = main(['can-reach', '--app', model, '--from', 'batch', '--to', '198.51.100.7:443/tcp'], l => out.push(...l.split('\n')), () => undefined);
      expect(code).toBe(0);
      expect(out[0]).toMatch(/^ALLOWED: zone "batch" is staged \(not enforced yet/);
      expect(out.find(l => l.startsWith('  source seen by'))).toMatch(/198\.18\.0\.\d.* once the zone is enforced \(staged: its traffic does not take its gateway yet\)$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
