/**
 * The ClusterNetworkPolicy evaluator against the API's documented behaviour, on hand-written objects (so the
 * agreement test's judge for that backend is itself checked, and can fail).
 */
import { evaluateClusterNetworkPolicy as evaluate } from './cluster-network-policy';

const pod = { namespace: 'shop', labels: { app: 'api' } };
const ext = (ip: string, port = 443, protocol = 6) => ({ ip, protocol, port });
const cnp = (name: string, tier: string, priority: number, egress: any[], subject: any = { namespaces: {} }) => ({
  apiVersion: 'policy.networking.k8s.io/v1beta1', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier, priority, subject, egress },
});
const rule = (action: string, to: any[], protocols?: any[]) => ({ name: action.toLowerCase(), action, to, ...(protocols ? { protocols } : {}) });
const knp = (egress: any[]) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress },
});

describe('ClusterNetworkPolicy', () => {
  test('no policy decides: the default allows', () => {
    expect(evaluate([], pod, ext('203.0.113.1')).allowed).toBe(true);
    expect(evaluate([cnp('a', 'Admin', 1, [rule('Deny', [{ networks: ['198.51.100.0/24'] }])])], pod, ext('203.0.113.1')).allowed).toBe(true);
  });

  test('lower priority first; within a policy the first matching rule decides', () => {
    const objs = [
      cnp('late', 'Admin', 20, [rule('Accept', [{ networks: ['203.0.113.0/24'] }])]),
      cnp('early', 'Admin', 10, [rule('Accept', [{ networks: ['203.0.113.7/32'] }]), rule('Deny', [{ networks: ['203.0.113.0/25'] }])]),
    ];
    expect(evaluate(objs, pod, ext('203.0.113.7')).allowed).toBe(true);
    expect(evaluate(objs, pod, ext('203.0.113.8')).allowed).toBe(false);
    expect(evaluate(objs, pod, ext('203.0.113.200')).allowed).toBe(true);
  });

  test('Admin decides before NetworkPolicy; Pass hands over to NetworkPolicy, then Baseline', () => {
    const denyAll = cnp('admin', 'Admin', 1, [rule('Pass', [{ networks: ['10.0.0.0/8'] }]), rule('Deny', [{ networks: ['0.0.0.0/0'] }])]);
    const allowAll = knp([{}]);
    expect(evaluate([denyAll, allowAll], pod, ext('203.0.113.1')).allowed).toBe(false);
    // passed: the NetworkPolicy selecting the pod decides, finally
    expect(evaluate([denyAll, allowAll], pod, ext('10.1.2.3')).allowed).toBe(true);
    expect(evaluate([denyAll, knp([{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }])], pod, ext('10.1.2.3')).allowed).toBe(false);
    // no NetworkPolicy selects the pod: Baseline decides, and without a Baseline rule the default allows
    const baselineDeny = cnp('base', 'Baseline', 1, [rule('Deny', [{ networks: ['10.0.0.0/8'] }])]);
    expect(evaluate([denyAll, baselineDeny], pod, ext('10.1.2.3')).allowed).toBe(false);
    expect(evaluate([denyAll], pod, ext('10.1.2.3')).allowed).toBe(true);
    // a NetworkPolicy selecting the pod is final: Baseline is not reached
    expect(evaluate([denyAll, baselineDeny, allowAll], pod, ext('10.1.2.3')).allowed).toBe(true);
  });

  test('Pass skips the rest of the tier, later policies of it included', () => {
    const objs = [
      cnp('first', 'Admin', 1, [rule('Pass', [{ networks: ['203.0.113.0/24'] }])]),
      cnp('second', 'Admin', 2, [rule('Deny', [{ networks: ['0.0.0.0/0'] }])]),
    ];
    expect(evaluate(objs, pod, ext('203.0.113.1')).allowed).toBe(true);
    expect(evaluate(objs, pod, ext('198.51.100.1')).allowed).toBe(false);
  });

  test('subjects: namespaces, or namespace AND pod selector', () => {
    const byPods = cnp('p', 'Admin', 1, [rule('Deny', [{ networks: ['0.0.0.0/0'] }])],
      { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'web' } } } });
    expect(evaluate([byPods], pod, ext('203.0.113.1')).allowed).toBe(true);
    expect(evaluate([byPods], { namespace: 'shop', labels: { app: 'web' } }, ext('203.0.113.1')).allowed).toBe(false);
    const byNs = cnp('n', 'Admin', 1, [rule('Deny', [{ networks: ['0.0.0.0/0'] }])], { namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['other'] }] } });
    expect(evaluate([byNs], pod, ext('203.0.113.1')).allowed).toBe(true);
  });

  test('peers: pods match pods only, networks match every address, domainNames the resolved name', () => {
    const objs = [cnp('a', 'Admin', 1, [
      rule('Accept', [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'db' } } }]),
      rule('Accept', [{ domainNames: ['*.example.com'] }]),
      rule('Deny', [{ networks: ['0.0.0.0/0', '::/0'] }]),
    ])];
    const dbPod = { namespace: 'db', labels: {} };
    expect(evaluate(objs, pod, { ...ext('10.244.1.5', 5432), endpoint: dbPod }).allowed).toBe(true);
    // the same address as a node: not a pod
    expect(evaluate(objs, pod, { ...ext('10.244.1.5', 5432), endpoint: dbPod, node: true }).allowed).toBe(false);
    expect(evaluate(objs, pod, { ...ext('203.0.113.1'), domain: 'a.b.example.com' }).allowed).toBe(true);
    expect(evaluate(objs, pod, { ...ext('203.0.113.1'), domain: 'example.com' }).allowed).toBe(false);
    expect(evaluate(objs, pod, ext('2001:db8::1')).allowed).toBe(false);
  });

  test('protocols: number and inclusive range; absent protocols match everything, ICMP included', () => {
    const objs = [cnp('a', 'Admin', 1, [
      rule('Accept', [{ networks: ['203.0.113.0/24'] }], [{ tcp: { destinationPort: { number: 443 } } }, { udp: { destinationPort: { range: { start: 8000, end: 8080 } } } }]),
      rule('Accept', [{ networks: ['198.51.100.0/24'] }]),
      rule('Deny', [{ networks: ['0.0.0.0/0'] }]),
    ])];
    expect(evaluate(objs, pod, ext('203.0.113.1', 443)).allowed).toBe(true);
    expect(evaluate(objs, pod, ext('203.0.113.1', 444)).allowed).toBe(false);
    expect(evaluate(objs, pod, ext('203.0.113.1', 8080, 17)).allowed).toBe(true);
    expect(evaluate(objs, pod, ext('203.0.113.1', 8081, 17)).allowed).toBe(false);
    expect(evaluate(objs, pod, ext('203.0.113.1', 8000, 6)).allowed).toBe(false);
    expect(evaluate(objs, pod, { ip: '198.51.100.1', protocol: 1, icmpType: 8 }).allowed).toBe(true);
  });

  test('two matching policies of one priority that disagree are ambiguous', () => {
    const objs = [
      cnp('a', 'Admin', 5, [rule('Accept', [{ networks: ['203.0.113.0/24'] }])]),
      cnp('b', 'Admin', 5, [rule('Deny', [{ networks: ['203.0.113.0/24'] }])]),
    ];
    expect(() => evaluate(objs, pod, ext('203.0.113.1'))).toThrow(/ambiguous/);
  });
});
