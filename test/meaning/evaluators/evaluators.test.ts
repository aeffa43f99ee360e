/**
 * The evaluators against the documented behaviour they encode, on hand-written objects (so that the
 * agreement test's judges are themselves checked, and can fail).
 */
import { evaluateCalico } from './calico';
import { calicoSelectorMatches } from './calico-selector';
import { evaluateCilium } from './cilium';
import { evaluateKubernetes } from './kubernetes';
import { nftablesAvailable, probeNftables } from './nftables';

const pod = { namespace: 'shop', labels: { app: 'api' } };
const ext = (ip: string, port = 443) => ({ ip, protocol: 6, port });

test('Calico selectors: != and not in match an absent label; has(); && binds tighter than ||', () => {
  expect(calicoSelectorMatches('app != "x"', {})).toBe(true);
  expect(calicoSelectorMatches('app not in {"x"}', {})).toBe(true);
  expect(calicoSelectorMatches('app in {"x"}', {})).toBe(false);
  expect(calicoSelectorMatches('!has(tier) && app == "x"', { app: 'x' })).toBe(true);
  expect(calicoSelectorMatches('app == "y" || app == "x" && tier == "t"', { app: 'x' })).toBe(false);
  expect(calicoSelectorMatches('app starts with "a"', { app: 'api' })).toBe(true);
});

describe('Calico', () => {
  const gnp = (name: string, order: number | undefined, egress: any[], selector = 'all()') => ({
    apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { order, selector, types: ['Egress'], egress },
  });
  test('lower order first, then name; first matching rule decides; end of tier denies', () => {
    const objs = [
      gnp('b', 100, [{ action: 'Allow', destination: { nets: ['203.0.113.0/24'] } }]),
      gnp('a', 100, [{ action: 'Deny', destination: { nets: ['203.0.113.128/25'] } }]),
      gnp('c', 50, [{ action: 'Pass', destination: { nets: ['198.51.100.0/24'] } }]),
    ];
    expect(evaluateCalico(objs, pod, ext('203.0.113.200')).allowed).toBe(false);
    expect(evaluateCalico(objs, pod, ext('203.0.113.5')).allowed).toBe(true);
    expect(evaluateCalico(objs, pod, ext('192.0.2.1')).allowed).toBe(false);
    // Pass leaves the tier: with no later tier, the profile allows
    expect(evaluateCalico(objs, pod, ext('198.51.100.1')).allowed).toBe(true);
  });
  test('no selecting policy: the profile allows; Kubernetes NetworkPolicy counts as order 1000', () => {
    expect(evaluateCalico([gnp('x', 1, [], 'app == "other"')], pod, ext('1.1.1.1')).allowed).toBe(true);
    const knp = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'k', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } };
    expect(evaluateCalico([gnp('z', 100, [{ action: 'Deny', destination: { nets: ['1.1.1.1/32'] } }]), knp], pod, ext('1.1.1.1')).allowed).toBe(false);
    expect(evaluateCalico([gnp('z', 2000, [{ action: 'Deny', destination: { nets: ['1.1.1.1/32'] } }]), knp], pod, ext('1.1.1.1')).allowed).toBe(true);
  });
  test('a destination selector matches network sets whose nets hold the address', () => {
    const set = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 's', labels: { k: 'v' } }, spec: { nets: ['203.0.113.0/24'] } };
    const objs = [set, gnp('p', 1, [{ action: 'Allow', protocol: 'TCP', destination: { selector: 'k == "v"', ports: ['400:500'] } }])];
    expect(evaluateCalico(objs, pod, ext('203.0.113.1', 443)).allowed).toBe(true);
    expect(evaluateCalico(objs, pod, ext('203.0.113.1', 501)).allowed).toBe(false);
    expect(evaluateCalico(objs, pod, ext('203.0.114.1', 443)).allowed).toBe(false);
  });
});

describe('Cilium', () => {
  const ccnp = (spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, ...spec } });
  test('allows are a union, deny wins, CIDR rules do not match cluster endpoints', () => {
    const objs = [
      ccnp({ egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }),
      ccnp({ egress: [{ toCIDR: ['203.0.113.0/24'] }], egressDeny: [{ toCIDRSet: [{ cidr: '203.0.113.128/25' }] }] }),
    ];
    expect(evaluateCilium(objs, pod, ext('10.1.1.1')).allowed).toBe(true);
    expect(evaluateCilium(objs, pod, ext('10.1.1.1', 80)).allowed).toBe(false);
    expect(evaluateCilium(objs, pod, ext('203.0.113.1', 80)).allowed).toBe(true);
    expect(evaluateCilium(objs, pod, ext('203.0.113.200')).allowed).toBe(false);
    expect(evaluateCilium(objs, pod, { ...ext('10.244.1.1'), endpoint: { namespace: 'x', labels: {} } }).allowed).toBe(false);
  });
  test('selector keys with and without the k8s: source; endPort; port 0 is every port', () => {
    const objs = [ccnp({
      endpointSelector: { matchLabels: { 'k8s:app': 'api', 'io.kubernetes.pod.namespace': 'shop' } },
      egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '8000', endPort: 8080, protocol: 'TCP' }, { port: '0', protocol: 'UDP' }] }] }],
    })];
    expect(evaluateCilium(objs, pod, ext('1.1.1.1', 8080)).allowed).toBe(true);
    expect(evaluateCilium(objs, pod, ext('1.1.1.1', 8081)).allowed).toBe(false);
    expect(evaluateCilium(objs, pod, { ip: '1.1.1.1', protocol: 17, port: 9 }).allowed).toBe(true);
    expect(evaluateCilium(objs, { namespace: 'other', labels: { app: 'api' } }, ext('1.1.1.1', 9)).allowed).toBe(true); // not selected
  });
});

test('Kubernetes: policies are additive; ipBlock except; empty ports = every port', () => {
  const np = (egress: any[]) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress } });
  const objs = [np([{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }], ports: [{ port: 5432 }] }]), np([{ to: [{ ipBlock: { cidr: '10.244.0.0/16' } }] }])];
  expect(evaluateKubernetes(objs, pod, ext('10.1.1.1', 5432)).allowed).toBe(true);
  expect(evaluateKubernetes(objs, pod, ext('10.1.1.1', 5433)).allowed).toBe(false);
  expect(evaluateKubernetes(objs, pod, ext('10.244.1.1', 1)).allowed).toBe(true);
  expect(evaluateKubernetes([objs[0]], pod, ext('10.244.1.1', 5432)).allowed).toBe(false);
  expect(evaluateKubernetes(objs, { namespace: 'shop', labels: {} }, ext('8.8.8.8')).allowed).toBe(true);
});

const nftMissing = nftablesAvailable();
(nftMissing && !process.env.CI ? test.skip : test)(`nftables probes are real packets through the loaded ruleset${nftMissing ? ` (${nftMissing})` : ''}`, () => {
  const ruleset = ['table inet cdk8s_egress', 'delete table inet cdk8s_egress', 'table inet cdk8s_egress {', '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy accept;',
    '\t\tip saddr 192.0.2.10 ip daddr 203.0.113.0/24 tcp dport 443 accept',
    '\t\tip6 saddr 2001:db8:ffff::10 ip6 daddr 2001:db8:1::/48 udp dport 53 accept',
    '\t\tip saddr 192.0.2.10 drop', '\t\tip6 saddr 2001:db8:ffff::10 drop', '\t}', '}', ''].join('\n');
  expect(probeNftables(ruleset, [
    { src: '192.0.2.10', dst: '203.0.113.5', protocol: 6, port: 443 },
    { src: '192.0.2.10', dst: '203.0.113.5', protocol: 6, port: 444 },
    { src: '192.0.2.10', dst: '203.0.114.5', protocol: 17, port: 443 },
    { src: '192.0.2.11', dst: '203.0.114.5', protocol: 17, port: 443 },
    { src: '2001:db8:ffff::10', dst: '2001:db8:1::5', protocol: 17, port: 53 },
    { src: '2001:db8:ffff::10', dst: '2001:db8:1::5', protocol: 6, port: 53 },
  ])).toEqual([true, false, false, true, true, false]);
});
