/** The review tools on zones with a mesh: can-reach per layer (network, mesh), diff at layer 7, the firewall's warning. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import {
  Backend, CanReach, ClusterNetwork, Destination, EgressModel, EgressModelDocument, EgressZone, FirewallExport, FirewallFormat, HttpMatch, HttpPath,
  InClusterTraffic, PostureDiff, Port,
} from '../../src';
import { main } from '../../src/cli/main';
import { captureWarnings } from '../support/warnings';

function model(methods: string[]): EgressModelDocument {
  const app = Testing.app();
  const chart = new Chart(app, 'app');
  new ClusterNetwork(chart, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'] });
  const pay = new EgressZone(chart, 'pay', { namespaces: ['pay'], inCluster: InClusterTraffic.ALLOW, backend: Backend.KUBERNETES, mesh: Backend.istio() });
  pay.allow('charges', {
    to: [Destination.cidr('203.0.113.10')],
    ports: [Port.tcp(80)],
    http: HttpMatch.http({ methods, paths: [HttpPath.exact('/v1/charges'), HttpPath.prefix('/v1/refunds/')] }),
  });
  pay.allow('files', { to: [Destination.cidr('203.0.113.20')], ports: [Port.tcp(443)], http: HttpMatch.tls({ sniHosts: ['files.example.com'] }) });
  return EgressModel.of(app);
}

describe('can-reach answers per layer for a zone with a mesh', () => {
  const doc = model(['GET']);
  const ask = (port: number, method?: string, reqPath?: string, ip = '203.0.113.10') =>
    CanReach.evaluate(doc, { namespace: 'pay', ip, protocol: 6, port, httpMethod: method, httpPath: reqPath });

  test('GET /v1/charges: the network lets it out only through the waypoint, the mesh allows the request', () => {
    const a = ask(80, 'GET', '/v1/charges');
    expect(a.allowed).toBe(true);
    expect(a.rule).toBe('charges');
    expect(a.layers!.map(l => [l.layer, l.allowed])).toEqual([['network', true], ['mesh', true]]);
    expect(a.layers![0].reason).toMatch(/^allowed only through the istio egress point istio-egress\/egress-waypoint: the zone's pods reach no external address themselves/);
    expect(a.layers![1].reason).toBe('allowed (GET /v1/charges) by rule "charges" (http GET /v1/charges,/v1/refunds/*)');
    expect(ask(80, 'GET', '/v1/refunds/7').allowed).toBe(true);
  });

  test('POST /v1/charges and GET /v2: the network would carry them, the mesh denies them', () => {
    for (const [m, p] of [['POST', '/v1/charges'], ['GET', '/v2/charges']]) {
      const a = ask(80, m, p);
      expect(a.allowed).toBe(false);
      expect(a.rule).toBe('mesh-deny');
      expect(a.layers!.map(l => [l.layer, l.allowed])).toEqual([['network', true], ['mesh', false]]);
      expect(a.reason).toContain(`no rule allows ${m} ${p} (rule "charges": http GET /v1/charges,/v1/refunds/*)`);
    }
  });

  test('no request named: connections allowed, requests restricted; a port no rule has: denied at both layers', () => {
    const a = ask(80);
    expect(a.allowed).toBe(true);
    expect(a.layers![1].reason).toMatch(/^connections allowed, requests only as rule "charges" says \(http GET .*\); ask with --http/);
    const b = ask(8080, 'GET', '/v1/charges');
    expect(b.allowed).toBe(false);
    expect(b.layers!.map(l => l.allowed)).toEqual([false, false]);
  });

  test('TLS: only the server name can be checked, and the answer says which', () => {
    const a = ask(443, undefined, undefined, '203.0.113.20');
    expect(a.allowed).toBe(true);
    expect(a.layers![1].reason).toContain('rule "files" says (tls sni=files.example.com)');
  });

  test('an HTTP rule\'s wildcard host "*.example.com" allows a request to a name below it, as Istio\'s hosts do', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'app');
    new ClusterNetwork(chart, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'] });
    const api = new EgressZone(chart, 'api', { namespaces: ['api'], backend: Backend.CALICO_ENTERPRISE, mesh: Backend.istio() });
    api.allow('web', { to: [Destination.domains(['api.example.com', 'api.example.org'])], ports: [Port.tcp(80)], http: HttpMatch.http({ methods: ['GET'], hosts: ['*.example.com'] }) });
    const wild = EgressModel.of(app);
    const get = (domain: string) => CanReach.evaluate(wild, { namespace: 'api', domain, protocol: 6, port: 80, httpMethod: 'GET', httpPath: '/' });
    expect(get('api.example.com').layers!.map(l => l.allowed)).toEqual([true, true]);
    expect(get('api.example.com').rule).toBe('web');
    expect(get('api.example.org').layers!.map(l => l.allowed)).toEqual([true, false]);
  });

  test('the CLI: --http GET /v1/charges prints both layers; exit status 1 for a mesh denial', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'i26-can-reach-'));
    fs.writeFileSync(path.join(dir, 'egress-model.json'), JSON.stringify(doc));
    const run = (...argv: string[]) => {
      const out: string[] = [];
      const code = main(argv, l => out.push(...l.split('\n')), l => out.push(...l.split('\n')));
      return { code, out };
    };
    const ok = run('can-reach', '--app', dir, '--from', 'pay', '--to', '203.0.113.10:80/tcp', '--http', 'GET', '/v1/charges');
    expect(ok.code).toBe(0);
    expect(ok.out[2]).toMatch(/^ {2}network: allowed: allowed only through the istio egress point/);
    expect(ok.out[3]).toMatch(/^ {2}mesh: allowed: allowed \(GET \/v1\/charges\) by rule "charges"/);
    const denied = run('can-reach', '--app', dir, '--from', 'pay', '--to', '203.0.113.10:80/tcp', '--http', 'DELETE /v1/charges');
    expect(denied.code).toBe(1);
    expect(denied.out[0]).toMatch(/^DENIED: denied at the istio egress point/);
    expect(run('can-reach', '--app', dir, '--from', 'pay', '--to', '203.0.113.10:80/tcp', '--http', 'get charges').code).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

test('diff shows a change of methods, which changes no address or port', () => {
  const changes = PostureDiff.compare(model(['GET']), model(['GET', 'POST']));
  expect(changes).toEqual([{
    zone: 'pay',
    change: 'layer7',
    port: 'tcp/80',
    destination: '203.0.113.10/32: http GET /v1/charges,/v1/refunds/* -> http GET,POST /v1/charges,/v1/refunds/*',
  }]);
  expect(PostureDiff.toMarkdown(changes)).toContain('| 🔍 HTTP rules changed | 203.0.113.10/32: http GET');
  expect(PostureDiff.compare(model(['GET']), model(['GET']))).toEqual([]);
});

test('firewall exports get the layer-4 part and one warning naming the rules whose HTTP part a perimeter cannot see', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'i26-fw-'));
  const app = Testing.app();
  const chart = new Chart(app, 'app');
  new ClusterNetwork(chart, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'] });
  const pay = new EgressZone(chart, 'pay', { namespaces: ['pay'], inCluster: InClusterTraffic.ALLOW, backend: Backend.KUBERNETES, mesh: Backend.istio() });
  pay.allow('charges', { to: [Destination.cidr('203.0.113.10')], ports: [Port.tcp(80)], http: HttpMatch.http({ methods: ['GET'] }) });
  new FirewallExport(chart, 'fw', { formats: [FirewallFormat.NFTABLES], outdir });
  const synth = captureWarnings(() => Testing.synth(chart));
  expect(synth.warnings).toEqual([
    'firewall export app/fw: the HTTP part of 1 rule is not in the firewall files, which allow their addresses and ports only (a perimeter sees no methods, paths or server names; the zones\' mesh enforces them): pay/charges (http GET)',
  ]);
  const nft = fs.readdirSync(outdir, { recursive: true }).map(String).filter(f => f.endsWith('.nft'));
  expect(nft.length).toBeGreaterThan(0);
  const text = nft.map(f => fs.readFileSync(path.join(outdir, f), 'utf8')).join('\n');
  expect(text).toContain('203.0.113.10');
  expect(text).toMatch(/dport 80/);
  fs.rmSync(outdir, { recursive: true, force: true });
});
