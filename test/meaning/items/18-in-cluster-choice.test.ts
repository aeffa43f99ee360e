/**
 * Issue 21, items 3 and 4: what a zone does with in-cluster traffic is an explicit choice (allow, pass to later
 * policies, deny), node addresses count as in-cluster, a tiered zone gets its Tier and passes in-cluster
 * traffic to the next tier, and the API server can be allowed by name. Judged on the rendered objects by the
 * evaluators written from each backend's documentation, and on what can-reach answers.
 */
import { CanReach, Destination, EgressModel, EgressZone, InClusterTraffic, Port } from '../../../src';
import { validateAgainstCalicoCrd, describeWithCalicoCrds } from '../../support/calico-schema';
import { describeWithCiliumCrds, validateAgainstCiliumCrd } from '../../support/cilium-schema';
import { Packet } from '../evaluators/packet';
import { captureWarnings, chartFor, evaluate, objectsOf } from '../support';

const CLUSTER = { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'] };
const WEB = { namespace: 'web', labels: { app: 'web' } };
const OTHER_POD: Packet = { ip: '10.244.1.5', protocol: 6, port: 5432, endpoint: { namespace: 'db', labels: { app: 'db' } } };
const KUBELET: Packet = { ip: '192.0.2.10', protocol: 6, port: 10250, node: true };
const API: Packet = { ip: '192.0.2.10', protocol: 6, port: 6443, node: true, apiServer: true };
const DNS: Packet = { ip: '10.244.0.10', protocol: 17, port: 53, endpoint: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } };

interface ZoneOptions { inCluster?: InClusterTraffic; allowInCluster?: boolean; tier?: string; tierOrder?: number; allowApiServer?: boolean }

function estate(backend: string, zone: ZoneOptions, extra: { apiServer?: boolean; allowAllPolicy?: boolean } = {}) {
  const { chart } = chartFor(backend, { ...CLUSTER, ...(extra.apiServer ? { apiServerAddresses: ['192.0.2.10/32'] } : {}) });
  const z = new EgressZone(chart, 'web', { namespaces: ['web'], ...zone });
  z.allow('saas', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  const objects = objectsOf(chart);
  // an app team's NetworkPolicy in the default tier that allows all egress of the namespace's pods
  if (extra.allowAllPolicy) {
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all', namespace: 'web' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } });
  }
  return { objects, doc: EgressModel.of(chart) };
}

const allowed = (backend: string, objects: any[], pkt: Packet) => evaluate(backend, objects, WEB, pkt).allowed;

describe('node addresses are in-cluster (item 4)', () => {
  test.each(['calico', 'kubernetes', 'cilium'])('%s: allowInCluster reaches the kubelet on a node', backend => {
    const { objects, doc } = estate(backend, { allowInCluster: true });
    expect(allowed(backend, objects, KUBELET)).toBe(true);
    expect(CanReach.evaluate(doc, { namespace: 'web', podLabels: WEB.labels, ip: KUBELET.ip, protocol: 6, port: 10250 }).rule).toBe('in-cluster');
  });

  test('a rule whose prefix covers the node range does not open it', () => {
    const { chart } = chartFor('calico', CLUSTER);
    new EgressZone(chart, 'web', { namespaces: ['web'] }).allow('wide', { to: [Destination.cidr('192.0.2.0/24')], ports: [Port.tcp(10250)] });
    const objects = objectsOf(chart);
    expect(allowed('calico', objects, KUBELET)).toBe(false);
    expect(allowed('calico', objects, { ip: '192.0.2.200', protocol: 6, port: 10250 })).toBe(true);
  });
});

describe('in-cluster traffic: allow, pass or deny (item 4)', () => {
  test('calico, deny: other pods and nodes are denied even where a later NetworkPolicy allows them; DNS still passes', () => {
    const { objects, doc } = estate('calico', { inCluster: InClusterTraffic.DENY }, { allowAllPolicy: true });
    expect(allowed('calico', objects, OTHER_POD)).toBe(false);
    expect(allowed('calico', objects, KUBELET)).toBe(false);
    expect(allowed('calico', objects, DNS)).toBe(true);
    expect(CanReach.evaluate(doc, { namespace: 'web', podLabels: WEB.labels, ip: OTHER_POD.ip, protocol: 6, port: 5432 }).rule).toBe('in-cluster-deny');
  });

  test('calico, pass in the default tier: later policies of the tier decide (the default)', () => {
    expect(allowed('calico', estate('calico', {}, { allowAllPolicy: true }).objects, OTHER_POD)).toBe(true);
    expect(allowed('calico', estate('calico', {}).objects, OTHER_POD)).toBe(false);
    expect(allowed('calico', estate('calico', { inCluster: InClusterTraffic.PASS }).objects, KUBELET)).toBe(false);
  });

  test.each(['kubernetes', 'cilium'])('%s cannot deny in-cluster traffic: a synth-time error with a hint', backend => {
    const { error } = captureWarnings(() => estate(backend, { inCluster: InClusterTraffic.DENY }));
    expect(error?.message).toMatch(new RegExp(`backend "${backend}" cannot express a deny of in-cluster traffic \\(zone "web".*\\(at egress/web\\); hint: use InClusterTraffic.PASS`));
  });

  test('allowInCluster and inCluster must not contradict each other', () => {
    const { chart } = chartFor('calico', CLUSTER);
    expect(() => new EgressZone(chart, 'web', { namespaces: ['web'], allowInCluster: true, inCluster: InClusterTraffic.DENY }))
      .toThrow(/allowInCluster "true" contradicts inCluster "deny" \(at egress\/web\); hint: set inCluster only/);
  });
});

describe('a tiered zone: its Tier, and Pass to the next tier (item 3)', () => {
  test('the Tier is emitted before the policy, with order 100 or the zone\'s tierOrder', () => {
    const { objects } = estate('calico', { tier: 'security' });
    const kinds = objects.map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds.indexOf('Tier/security')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('Tier/security')).toBeLessThan(kinds.indexOf('GlobalNetworkPolicy/security.egress-web'));
    expect(objects.find(o => o.kind === 'Tier').spec).toEqual({ order: 100 });
    expect(estate('calico-enterprise', { tier: 'security', tierOrder: 50 }).objects.find(o => o.kind === 'Tier').spec).toEqual({ order: 50 });
    expect(estate('calico', {}).objects.filter(o => o.kind === 'Tier')).toEqual([]);
  });

  test('in-cluster traffic passes to the default tier: allowed when no policy there selects the pod, else that policy decides', () => {
    const { objects, doc } = estate('calico', { tier: 'security' });
    const policy = objects.find(o => o.kind === 'GlobalNetworkPolicy');
    expect(policy.spec.egress.filter((r: any) => r.action === 'Pass').length).toBeGreaterThan(0);
    expect(allowed('calico', objects, OTHER_POD)).toBe(true);
    expect(allowed('calico', objects, KUBELET)).toBe(true);
    expect(allowed('calico', objects, { ip: '198.51.100.1', protocol: 6, port: 443 })).toBe(false);
    const restricted = [...objects, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'only-dns', namespace: 'web' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] } }];
    expect(allowed('calico', restricted, OTHER_POD)).toBe(false);
    expect(CanReach.evaluate(doc, { namespace: 'web', podLabels: WEB.labels, ip: OTHER_POD.ip, protocol: 6, port: 5432 }).rule).toBe('in-cluster-pass');
  });

  test('zones of one tier must agree on its order; tierOrder needs a tier', () => {
    const { chart } = chartFor('calico', CLUSTER);
    new EgressZone(chart, 'a', { namespaces: ['a'], tier: 'security', tierOrder: 10 });
    new EgressZone(chart, 'b', { namespaces: ['b'], tier: 'security', tierOrder: 20 });
    expect(() => objectsOf(chart)).toThrow(/zones "a" and "b" give tier "security" different orders \(10, 20\) \(at egress\/a and egress\/b\)/);
    expect(() => new EgressZone(chartFor('calico', CLUSTER).chart, 'c', { namespaces: ['c'], tierOrder: 10 })).toThrow(/tierOrder "10" is set but the zone is in the default tier/);
  });

  test('a tier\'s order given by one of its zones, neither the first nor the last, is the Tier\'s order', () => {
    const { chart } = chartFor('calico', CLUSTER);
    new EgressZone(chart, 'a', { namespaces: ['a'], tier: 'security' });
    new EgressZone(chart, 'b', { namespaces: ['b'], tier: 'security', tierOrder: 30 });
    new EgressZone(chart, 'd', { namespaces: ['d'], tier: 'security' });
    new EgressZone(chart, 'c', { namespaces: ['c'], tier: 'audit' });
    const tiers = objectsOf(chart).filter(o => o.kind === 'Tier');
    expect(Object.fromEntries(tiers.map(t => [t.metadata.name, t.spec.order]))).toEqual({ security: 30, audit: 100 });
  });
});

describeWithCalicoCrds('the Tier and the Pass rules pass the Calico CRDs', () => {
  test('every Calico object of a tiered zone with the API server', () => {
    const { objects } = estate('calico', { tier: 'security', allowApiServer: true }, { apiServer: true });
    const calico = objects.filter(o => o.apiVersion === 'projectcalico.org/v3');
    expect(calico.map(o => o.kind)).toContain('Tier');
    for (const o of calico) expect([o.metadata.name, validateAgainstCalicoCrd(o)]).toEqual([o.metadata.name, []]);
  });
});

describe('the API server by name (item 4)', () => {
  test.each(['calico', 'kubernetes', 'cilium'])('%s: allowApiServer reaches the API server, and only it', backend => {
    const { objects, doc } = estate(backend, { allowApiServer: true }, { apiServer: true });
    expect(allowed(backend, objects, API)).toBe(true);
    expect(allowed(backend, objects, KUBELET)).toBe(false);
    for (const to of ['kubernetes.default:443/tcp', '10.96.0.1:443/tcp']) {
      const a = CanReach.evaluate(doc, { namespace: 'web', podLabels: WEB.labels, ...CanReach.parseDestination(to) });
      expect([to, a.allowed, a.rule]).toEqual([to, true, 'api-server']);
    }
  });

  test('without allowApiServer, kubernetes.default is the node address and port behind it: the in-cluster choice decides', () => {
    const { objects, doc } = estate('calico', {}, { apiServer: true });
    expect(allowed('calico', objects, API)).toBe(false);
    const a = CanReach.evaluate(doc, { namespace: 'web', podLabels: WEB.labels, ...CanReach.parseDestination('kubernetes.default:443/tcp') });
    expect([a.allowed, a.rule]).toEqual([false, 'in-cluster-fallthrough']);
    expect(a.reason).toMatch(/^kubernetes\.default is the API server: kube-proxy translates it to 192\.0\.2\.10:6443 before policies see it/);
    const allowAll = estate('calico', { inCluster: InClusterTraffic.ALLOW }, { apiServer: true });
    expect(CanReach.evaluate(allowAll.doc, { namespace: 'web', podLabels: WEB.labels, ...CanReach.parseDestination('kubernetes.default:443/tcp') }).allowed).toBe(true);
  });

  test('undeclared API server addresses: an error with a hint, in synth and in can-reach', () => {
    const { error } = captureWarnings(() => estate('calico', { allowApiServer: true }));
    expect(error?.message).toMatch(/zone "web" allows the API server, but the API server's addresses are not declared \(at egress\/web\); hint: declare them: new ClusterNetwork/);
    const { doc } = estate('calico', {});
    expect(() => CanReach.evaluate(doc, { namespace: 'web', ...CanReach.parseDestination('kubernetes.default:443/tcp') }))
      .toThrow(/is the API server, whose addresses the model does not know.*hint: declare them: ClusterNetwork apiServerAddresses/);
  });
});

describeWithCiliumCrds('Cilium\'s kube-apiserver entity passes the Cilium CRDs', () => {
  test('a zone that allows the API server', () => {
    const { objects } = estate('cilium', { allowApiServer: true }, { apiServer: true });
    const policies = objects.filter(o => o.apiVersion === 'cilium.io/v2');
    expect(JSON.stringify(policies)).toContain('"toEntities":["kube-apiserver"]');
    for (const o of policies) expect([o.metadata.name, validateAgainstCiliumCrd(o)]).toEqual([o.metadata.name, []]);
  });
});
