import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ACTION, KIND, SHOP_T0, TYPE, emitterFlow, hit, protojsonFlow, rolloutApp, shopFlows } from './rollout-fixture';
import { CanReach, Destination, Port } from '../../src';
import { main } from '../../src/cli/main';
import { parseAge } from '../../src/cli/rollout-report-command';
import { readFlowFile } from '../../src/review/rollout/flow-file';
import { parseFlowRecord } from '../../src/review/rollout/flow-record';
import { RolloutReport, buildRolloutReport } from '../../src/review/rollout/rollout-report';
import { portsCode } from '../../src/review/rollout/rule-proposal';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-report-'));
const { doc } = rolloutApp();
const modelFile = path.join(dir, 'egress-model.json');
fs.writeFileSync(modelFile, JSON.stringify(doc));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const emitterFile = write('flows.jsonl', shopFlows().map(f => JSON.stringify(f)).join('\n'));

function run(...args: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(['rollout-report', ...args], l => out.push(...l.split('\n')), l => err.push(l));
  return { code, out, err };
}

function report(...args: string[]): RolloutReport {
  const r = run('--app', modelFile, '-o', 'json', ...args);
  expect(r.err).toEqual([]);
  return JSON.parse(r.out.join('\n'));
}

describe('rollout-report: what a staged zone would deny', () => {
  test('lists exactly the undeclared flows of the staged zone, grouped by destination', () => {
    const r = report('--flows', emitterFile);
    expect(r.records).toBe(10);
    expect(r.zones).toEqual(['shop']);
    // partners is declared, the destination's report and the enforced zone's deny are not staged verdicts
    expect(r.groups.map(g => [g.zone, g.destination.kind, g.destination.name, g.ports.map(p => `${p.protocol}/${p.port}`)])).toEqual([
      ['shop', 'destination-set', 'github', ['tcp/22', 'tcp/443']],
      ['shop', 'network', 'pub', ['tcp/8443']],
      ['shop', 'api-server', 'kubernetes', ['tcp/6443']],
      ['shop', 'in-cluster', 'orders-*', ['tcp/8080']],
    ]);
    expect(r.denied).toBe(6);
    expect(r.foreignPolicies).toEqual(['default/egress-legacy']);
  });

  test('counts, first and last seen, sources', () => {
    const github = report('--flows', emitterFile).groups[0];
    expect(github).toMatchObject({ records: 3, connections: 6, packets: 60, sources: ['shop/cron-*', 'shop/web-7d9f8b-*'] });
    expect(github.ports).toEqual([{ protocol: 'tcp', port: 22, connections: 1 }, { protocol: 'tcp', port: 443, connections: 5 }]);
    expect(github.firstSeen).toBe(new Date((SHOP_T0 + 60) * 1000).toISOString().replace('.000Z', 'Z'));
    expect(github.lastSeen).toBe(new Date((SHOP_T0 + 3615) * 1000).toISOString().replace('.000Z', 'Z'));
  });

  test('proposes the zone.allow line: a set by reference, an unnamed address commented out, no rule for in-cluster', () => {
    const [github, pub, api, pods] = report('--flows', emitterFile).groups;
    expect(github.proposal).toMatchObject({
      complete: true,
      name: 'github',
      destinationSet: 'github',
      code: 'shop.allow(\'github\', { to: [Destination.set(github)], ports: [Port.tcp(22), Port.tcp(443)] });',
    });
    expect(pub.proposal).toMatchObject({ complete: false, name: 'public-tcp-8443' });
    expect(pub.proposal!.code).toMatch(/^\/\/ shop\.allow\('public-tcp-8443', \{ to: \[Destination\.cidrs\(\[\/\* the public addresses: Goldmane reports none \*\/\]\)\], ports: \[Port\.tcp\(8443\)\] \}\);$/);
    expect(api.proposal).toBeUndefined();
    expect(api.inCluster).toMatch(/set allowApiServer: true on the zone/);
    expect(pods.proposal).toBeUndefined();
    expect(pods.inCluster).toMatch(/the zone's inCluster choice decides it \(now "pass"\)/);
  });

  test('the proposed rules, applied, allow the observed destinations and nothing the report did not propose', () => {
    const proposals = report('--flows', emitterFile).groups.filter(g => g.proposal?.complete).map(g => g.proposal!);
    const { doc: after } = rolloutApp({
      shopRules: (shop, sets) => proposals.forEach(p => shop.allow(p.name, {
        to: [Destination.set(sets[p.destinationSet as 'github'])],
        ports: p.ports.map(x => Port.tcp(x.port)),
      })),
    });
    const ask = (to: string) => CanReach.evaluate(after, { namespace: 'shop', ...CanReach.parseDestination(to) });
    expect(ask('198.51.100.5:443/tcp').allowed).toBe(true);
    expect(ask('198.51.100.5:22/tcp').allowed).toBe(true);
    expect(ask('198.51.100.5:80/tcp').allowed).toBe(false); // never wider than the ports seen
    expect(ask('192.0.2.200:8443/tcp').allowed).toBe(false); // the public address was not proposed
  });

  test('a rule name the zone has already gets the protocol and port', () => {
    const { doc: d } = rolloutApp({ shopRules: (shop, sets) => shop.allow('github', { to: [Destination.set(sets.github)], ports: [Port.tcp(22)] }) });
    const flows = [emitterFlow({ destType: TYPE.NetworkSet, destName: 'github', port: 443, start: SHOP_T0, pending: [hit(KIND.StagedGlobalNetworkPolicy, 'egress-shop', ACTION.Deny, 3)] })];
    const r = buildRolloutReport(d, flows.map((f, i) => parseFlowRecord(f, `flow ${i}`)));
    expect(r.groups[0].proposal!.name).toBe('github-tcp-443');
  });

  test('a tiered zone is found by its tier and policy name, with or without the tier prefix', () => {
    const inDefault = emitterFlow({ destType: TYPE.Network, destName: 'pub', port: 25, start: SHOP_T0, pending: [hit(KIND.StagedGlobalNetworkPolicy, 'default.egress-shop', ACTION.Deny, 4)] });
    expect(buildRolloutReport(doc, [parseFlowRecord(inDefault, 'f')]).groups.map(g => g.zone)).toEqual(['shop']);
    const tiered = { ...doc, zones: doc.zones.map(z => (z.name === 'shop' ? { ...z, tier: 'egress' } : z)) };
    for (const name of ['egress.egress-shop', 'egress-shop', 'egress.staged:egress-shop']) {
      const f = emitterFlow({ destType: TYPE.Network, destName: 'pvt', port: 5432, start: SHOP_T0, pending: [hit(KIND.StagedGlobalNetworkPolicy, name, ACTION.Deny, 4, 'egress')] });
      expect(buildRolloutReport(tiered, [parseFlowRecord(f, 'f')]).groups.map(g => [g.zone, g.destination.name])).toEqual([['shop', 'pvt']]);
    }
  });

  test('ports: consecutive ones become a range, other protocols their factories', () => {
    expect(portsCode([8000, 8001, 8002, 9000].map(port => ({ protocol: 'tcp', port })))).toBe('Port.tcpRange(8000, 8002), Port.tcp(9000)');
    expect(portsCode([{ protocol: 'udp', port: 53 }, { protocol: 'icmp', port: 0 }, { protocol: '47', port: 0 }]))
      .toBe('Port.allOf(Protocol.of(47)), Port.icmp(), Port.udp(53)');
  });
});

describe('rollout-report: the forms of Goldmane\'s flows', () => {
  test('grpcurl\'s protojson (FlowListResult, pretty-printed, one after another) reads as the emitter\'s JSON lines', () => {
    const flows = shopFlows().map(protojsonFlow);
    const pages = [{ meta: { totalPages: '2' }, flows: flows.slice(0, 5).map((flow, i) => ({ id: String(i), flow })) }, { flows: flows.slice(5).map(flow => ({ flow })) }];
    const file = write('flows-grpcurl.json', pages.map(p => JSON.stringify(p, undefined, 2)).join('\n'));
    expect(report('--flows', file)).toEqual(report('--flows', emitterFile));
    // a JSON array of Flows too
    expect(readFlowFile(write('flows-array.json', JSON.stringify(shopFlows())))).toEqual(readFlowFile(emitterFile));
  });

  test('text and markdown carry the same groups and lines', () => {
    const text = run('--app', modelFile, '--flows', emitterFile);
    expect(text.code).toBe(1);
    expect(text.out[0]).toBe('10 flow records read; 6 would be denied by a staged zone (zones: shop)');
    expect(text.out).toContain('    shop.allow(\'github\', { to: [Destination.set(github)], ports: [Port.tcp(22), Port.tcp(443)] });');
    const md = run('--app', modelFile, '--flows', emitterFile, '--markdown').out.join('\n');
    expect(md).toMatch(/#### Zone `shop` \(staged\)/);
    expect(md).toMatch(/```ts\n\/\/ github is the DestinationSet "github" \(.*\)\nshop\.allow\('github'/);
    expect(md).toMatch(/- \*\*the API server \(Service default\/kubernetes\)\*\*: the API server is not a rule/);
  });

  test('nothing denied: exit 0 and a sentence that says so', () => {
    const file = write('clean.jsonl', JSON.stringify(shopFlows()[0]));
    expect(run('--app', modelFile, '--flows', file)).toMatchObject({ code: 0, out: ['1 flow record read; 0 would be denied by a staged zone (zones: shop)', 'nothing a staged zone would deny: the zones can be enforced as they are'] });
  });

  test('--zone narrows to one zone', () => {
    expect(report('--flows', emitterFile, '--zone', 'ops')).toMatchObject({ zones: ['ops'], groups: [], denied: 0 });
  });
});

describe('rollout-report: bad input is one clear error', () => {
  test.each([
    [['--flows', path.join(dir, 'missing.jsonl')], /^error: .*missing\.jsonl: no such file$/],
    [['--flows', dir], /is a directory, not a file of flow records/],
    [['--flows', emitterFile, '--zone', 'shops'], /^error: --zone "shops" is not a zone of this app \(its zones: ops, shop\)$/],
    [['--flows', write('bad.jsonl', `${JSON.stringify(shopFlows()[0])}\n{"Key": {"proto": "tcp"`)], /bad\.jsonl:2: is not JSON/],
    [['--flows', write('not-flows.jsonl', '{"source_name": "x"}')], /not-flows\.jsonl:1: has no "Key": not a Goldmane flow/],
    [['--flows', write('bad-enum.jsonl', JSON.stringify({ Key: { proto: 'tcp', dest_type: 'Planet' } }))], /bad-enum\.jsonl:1: dest_type "Planet" is not one of EndpointTypeUnspecified, WorkloadEndpoint, HostEndpoint, NetworkSet, Network/],
    [['--flows', emitterFile, '--ca', 'ca.pem'], /--ca applies to Goldmane's API \(--flows https:\/\/\.\.\.\), not to a file \(see 'cdk8s-egress rollout-report --help'\)/],
    [['--flows', emitterFile, '-o', 'yaml'], /-o "yaml" is not one of text, json, markdown/],
  ])('%j', (args, message) => {
    const r = run('--app', modelFile, ...args);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
  });

  test('--since takes an age', () => {
    expect([parseAge('90'), parseAge('30m'), parseAge('24h'), parseAge('7d')]).toEqual([90, 1800, 86400, 604800]);
    expect(() => parseAge('1w')).toThrow(/--since "1w" is not an age/);
  });
});
