import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { EgressEstate } from '../../examples/app/main';
import { CanReach, Destination, EgressMap, EgressModel, Port, PostureDiff } from '../../src';
import { main } from '../../src/cli/main';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

function estate() {
  const app = Testing.app();
  const chart = new EgressEstate(app, 'egress');
  return { app, chart, doc: EgressModel.of(chart) };
}

describe('can-reach answers from the model alone', () => {
  const { doc } = estate();

  test.each([
    // payments: only pods labelled app=payments-api are in the zone
    [{ namespace: 'payments', podLabels: { app: 'payments-api' }, dest: '203.0.113.10:443/tcp' }, true, 'card-processor'],
    [{ namespace: 'payments', podLabels: { app: 'payments-api' }, dest: '203.0.113.10:80/tcp' }, false, 'default-deny-external'],
    [{ namespace: 'payments', podLabels: { app: 'payments-api' }, dest: '203.0.113.200:443/tcp' }, false, 'default-deny-external'],
    [{ namespace: 'payments', podLabels: { app: 'other' }, dest: '203.0.113.200:443/tcp' }, true, 'not-in-any-zone'],
    // batch: shared set, both families
    [{ namespace: 'reporting', podLabels: {}, dest: '198.51.100.200:443/tcp' }, true, 'object-storage'],
    [{ namespace: 'batch', podLabels: {}, dest: '[2001:db8:100::5]:443/tcp' }, true, 'object-storage'],
    [{ namespace: 'batch', podLabels: {}, dest: '198.51.100.200:443/udp' }, false, 'default-deny-external'],
    // in-cluster traffic is left to other policies
    [{ namespace: 'batch', podLabels: {}, dest: '10.96.0.10:443/tcp' }, false, 'in-cluster-fallthrough'],
    // locked: DNS only
    [{ namespace: 'sandbox', podLabels: {}, dest: '198.51.100.200:443/tcp' }, false, 'default-deny-external'],
  ])('%o -> allowed=%s by %s', (q, allowed, rule) => {
    const answer = CanReach.evaluate(doc, { namespace: q.namespace, podLabels: q.podLabels, ...CanReach.parseDestination(q.dest) });
    expect(answer.allowed).toBe(allowed);
    expect(answer.rule).toBe(rule);
  });

  test('the answer names the matched prefix and its description', () => {
    const a = CanReach.evaluate(doc, { namespace: 'batch', ...CanReach.parseDestination('198.51.100.7:443/tcp') });
    expect(a.destinationSet).toBe('object-storage');
    expect(a.descriptions).toEqual(['object storage eu-1', 'object storage eu-2']);
  });

  test('bad destinations are usage errors', () => {
    // domain names are destinations too (issue 14, item 7), but not any text
    expect(CanReach.parseDestination('example.com:443/tcp')).toEqual({ domain: 'example.com', protocol: 6, port: 443 });
    expect(() => CanReach.parseDestination('exa_mple:443/tcp')).toThrow(/neither an IP address nor a domain name/);
    expect(() => CanReach.parseDestination('10.0.0.1:443')).toThrow(/--to "10.0.0.1:443" is not/);
    expect(() => CanReach.parseDestination('10.0.0.1:99999/tcp')).toThrow(/port "99999" is not a port number/);
  });
});

describe('cdk8s-egress CLI on a synthesized app', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-cli-'));
    const app = new App({ outdir: dir });
    new EgressEstate(app, 'egress'); // the example carries an EgressReview
    expectWarnings(exampleWarnings(), () => app.synth());
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('synth wrote the model, the Mermaid map and the DOT graph', () => {
    const md = fs.readFileSync(path.join(dir, 'egress-map.md'), 'utf8');
    expect(md).toContain('```mermaid');
    expect(md).toContain('pod addresses from 10.250.0.0/24 (no NAT)');
    expect(md).toMatch(/\| card-processor \| payments-card-processor \| tcp\/443 \|/);
    const dot = fs.readFileSync(path.join(dir, 'egress-map.dot'), 'utf8');
    expect(dot).toMatch(/^digraph egress \{/);
    expect(dot).toContain('NAT outgoing to node addresses (192.0.2.0/26,\\n2001:db8:ffff::/64)'); // labels wrap after commas
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'egress-model.json'), 'utf8')).zones.map((z: any) => z.name)).toEqual(['batch', 'checkout', 'locked', 'partners', 'payments']);
  });

  test('can-reach prints the verdict, the rule and the source seen; exit code 0/1', () => {
    const lines: string[] = [];
    expect(main(['can-reach', '--app', dir, '--from', 'payments/app=payments-api', '--to', '203.0.113.10:443/tcp'], l => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/^ALLOWED: allowed by rule "card-processor" of zone "payments"[\s\S]*source seen by 203.0.113.10: pod addresses from 10.250.0.0\/24/);
    lines.length = 0;
    expect(main(['can-reach', '--app', dir, '--from', 'sandbox', '--to', '203.0.113.10:443/tcp'], l => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/^DENIED: no rule of zone "locked" allows 203.0.113.10 port 443 \(TCP\)/);
    expect(main(['can-reach', '--app', dir], () => undefined)).toBe(2);
    // Under NAT outgoing, the pool's no-NAT destinations see the pod address, like the firewall exports say.
    lines.length = 0;
    expect(main(['can-reach', '--app', dir, '--from', 'batch', '--to', '172.16.10.5:22/tcp'], l => lines.push(l))).toBe(0);
    expect(lines[2]).toMatch(/source seen by 172.16.10.5: pod addresses from 10.244.0.0\/16 \(no-NAT destination of batch-pool\)/);
  });

  test('diff reports what became reachable and what stopped', () => {
    const before = EgressModel.of(new EgressEstate(Testing.app(), 'egress'));
    const afterApp = Testing.app();
    const after = new EgressEstate(afterApp, 'egress');
    const zone = after.node.findChild('locked') as any;
    zone.allow('ntp', { to: [Destination.cidr('192.0.2.123')], ports: [Port.udp(123)] });
    const changes = PostureDiff.compare(before, EgressModel.of(after));
    expect(changes).toEqual([{ zone: 'locked', change: 'added', destination: '192.0.2.123/32', port: 'udp/123', source: 'NAT outgoing to node addresses (192.0.2.0/26)' }]);
    expect(PostureDiff.compare(EgressModel.of(after), before)[0].change).toBe('removed');
    expect(PostureDiff.toMarkdown(changes)).toContain('| ➕ now reachable | 192.0.2.123/32 | udp/123 |');
    expect(PostureDiff.compare(before, before)).toEqual([]);
  });
});

test('the egress map lists every zone with its exit', () => {
  const { doc } = estate();
  const md = EgressMap.toMarkdown(doc);
  for (const z of doc.zones) expect(md).toContain(`## zone \`${z.name}\``);
});
