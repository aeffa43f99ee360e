/**
 * Issue 21, item 12: can-reach answers DNS questions for the DNS Service address and the DNS pods, not for
 * every in-cluster address, and never says that a DNS server (or anything in the cluster) sees a NATed source.
 * What it answers is what the rendered Calico policy does (the evaluator from Calico's documentation).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CanReach, Destination, EgressModel, EgressZone, Port } from '../../src';
import { main } from '../../src/cli/main';
import { chartFor, evaluate, objectsOf } from '../meaning/support';

const DNS_POD = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

function estate(dnsServiceAddress?: string) {
  const { chart } = chartFor('calico', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'], dnsServiceAddress });
  new EgressZone(chart, 'web', { namespaces: ['web'] }).allow('saas', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  return { doc: EgressModel.of(chart), objects: objectsOf(chart) };
}

const ask = (doc: any, to: string, extra: object = {}) => CanReach.evaluate(doc, { namespace: 'web', ...CanReach.parseDestination(to), ...extra });

describe('DNS is the DNS Service and the DNS pods, not any in-cluster address', () => {
  const { doc, objects } = estate('10.96.0.10');

  test('port 53 to a pod that is not a DNS pod: the in-cluster choice, as the policy does', () => {
    const a = ask(doc, '10.244.7.7:53/udp');
    expect([a.allowed, a.rule]).toEqual([false, 'in-cluster-fallthrough']);
    expect(evaluate('calico', objects, { namespace: 'web', labels: {} }, { ip: '10.244.7.7', protocol: 17, port: 53, endpoint: { namespace: 'web', labels: { app: 'cache' } } }).allowed).toBe(false);
  });

  test('the declared DNS Service address is DNS', () => {
    const a = ask(doc, '10.96.0.10:53/udp');
    expect([a.allowed, a.rule]).toEqual([true, 'dns']);
    expect(a.reason).toMatch(/10\.96\.0\.10 is the cluster DNS Service; kube-proxy translates it to a DNS pod/);
    expect(ask(doc, '10.96.0.11:53/udp').rule).toBe('in-cluster-fallthrough');
  });

  test('a destination pod that the DNS selector selects is DNS; one it does not is not', () => {
    expect(ask(doc, '10.244.0.10:53/udp', { destinationNamespace: DNS_POD.namespace, destinationPodLabels: DNS_POD.labels }).rule).toBe('dns');
    expect(evaluate('calico', objects, { namespace: 'web', labels: {} }, { ip: '10.244.0.10', protocol: 17, port: 53, endpoint: DNS_POD }).allowed).toBe(true);
    expect(ask(doc, '10.244.0.10:53/udp', { destinationNamespace: 'kube-system', destinationPodLabels: { 'k8s-app': 'metrics' } }).rule).toBe('in-cluster-fallthrough');
  });

  test('without a declared DNS Service address, the answer says how to ask', () => {
    const a = ask(estate().doc, '10.96.0.10:53/udp');
    expect([a.allowed, a.rule]).toEqual([false, 'in-cluster-fallthrough']);
    expect(a.reason).toMatch(/if 10\.96\.0\.10 is the DNS Service or a DNS pod, DNS allows it: declare ClusterNetwork dnsServiceAddress, or ask with --to-pod/);
  });
});

describe('cdk8s-egress can-reach: no NATed source inside the cluster', () => {
  let file: string;
  beforeAll(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'egress-dns-')), 'egress-model.json');
    fs.writeFileSync(file, JSON.stringify(estate('10.96.0.10').doc));
  });
  afterAll(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

  const run = (...args: string[]) => {
    const out: string[] = [];
    const code = main(['can-reach', '--app', file, '--from', 'web', ...args], l => out.push(l));
    return { code, out };
  };

  test('DNS to the Service: the DNS server sees the pod\'s own address', () => {
    const { code, out } = run('--to', '10.96.0.10:53/udp');
    expect(code).toBe(0);
    expect(out).toContain('  source seen by 10.96.0.10: the pod\'s own address (no NAT inside the cluster)');
    expect(out.join('\n')).not.toMatch(/NAT outgoing|node address/);
  });

  test('--to-pod names a DNS pod', () => {
    expect(run('--to', '10.244.0.10:53/udp', '--to-pod', 'kube-system/k8s-app=kube-dns').code).toBe(0);
    expect(run('--to', '10.244.0.10:53/udp', '--to-pod', 'web/app=cache').code).toBe(1);
  });

  test('external traffic still shows the source it leaves with', () => {
    expect(run('--to', '203.0.113.5:443/tcp').out.join('\n')).toMatch(/source seen by 203\.0\.113\.5: NAT outgoing/);
  });
});
