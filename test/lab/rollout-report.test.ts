/**
 * Issue 28 in the real-cluster lab: a staged zone observed through Calico's own flow logs. Felix reports flows, with
 * the staged policies' verdicts, to Goldmane (built from the same Calico v3.31 module, scripts/lab/build-goldmane.sh)
 * over mutual TLS as Calico's operator wires it; `cdk8s-egress rollout-report` reads Goldmane's Flows API. The
 * report's proposed rules, applied with one left out on purpose, and the zone enforced: what was proposed passes, the
 * rest gets 0 packets. Goldmane names an address in no network set only "pub": the app's StagedZoneObserver gives the
 * node agent a data-path `observe` section; the agent, on the pod's node, records the address behind "pub", read with
 * `main.js observed-addresses` and joined by `rollout-report --addresses`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CP_IP, Lab, LabPod, nsRun, run, sleep } from './lab';
import { describeLab, synthApp, toYaml } from './suite';
import { ClusterNetwork, Destination, DestinationSet, EgressModel, EgressZone, Enforcement, Port, StagedZoneObserver } from '../../src';
import { mainAsync } from '../../src/cli/main';
import { listGoldmaneFlows } from '../../src/review/rollout/goldmane-client';
import { RolloutReport } from '../../src/review/rollout/rollout-report';
import { AGENT_MAIN, AGENT_NODE, buildAgents } from '../agent/e2e/netns-lab';

jest.setTimeout(900_000);

const REPO = path.resolve(__dirname, '..', '..');
const GOLDMANE = `${CP_IP}:7443`;
/** The control plane's address on the host link (lab.ts HOST_LINK): how the report reaches Goldmane from the host. */
const GOLDMANE_FROM_HOST = 'https://169.254.77.2:7443';
// neighbour: never contacted while staged, so never proposed: after enforcement it gets 0 packets (the /32 is not wider).
const ADDR = { partners: '203.0.113.10', github: '198.51.100.50', mirror: '198.51.100.60', unnamed: '203.0.113.77', neighbour: '203.0.113.78' };
const CALICO_KINDS = new Set(['GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy', 'GlobalNetworkSet', 'NetworkSet', 'Tier']);

function goldmaneBin(): string | undefined {
  const r = spawnSync('bash', [path.join(REPO, 'scripts', 'lab', 'build-goldmane.sh'), '--print-bin'], { encoding: 'utf8' });
  return r.status === 0 ? path.join(r.stdout.trim(), 'goldmane') : undefined;
}

/** A CA, Goldmane's serving certificate and client certificates for Felix and the report (as the operator's CA signs them). */
function goldmanePki(dir: string): void {
  const o = (...args: string[]) => run('openssl', args);
  o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/ca.key`, '-out', `${dir}/ca.crt`, '-days', '2', '-subj', '/CN=ceglab-goldmane-ca');
  const sign = (name: string, ext: string) => {
    o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/${name}.key`, '-out', `${dir}/${name}.csr`, '-subj', `/CN=${name}`);
    fs.writeFileSync(`${dir}/${name}.ext`, ext);
    o('x509', '-req', '-in', `${dir}/${name}.csr`, '-CA', `${dir}/ca.crt`, '-CAkey', `${dir}/ca.key`, '-CAcreateserial', '-out', `${dir}/${name}.crt`, '-days', '2', '-extfile', `${dir}/${name}.ext`);
  };
  sign('goldmane', `subjectAltName=IP:${CP_IP},IP:169.254.77.2,DNS:goldmane.calico-system.svc\nextendedKeyUsage=serverAuth\n`);
  sign('calico-node', 'extendedKeyUsage=clientAuth\n');
  sign('reporter', 'extendedKeyUsage=clientAuth\n');
}

/** The shop zone (staged or enforced) with rules added by `more`; ops allows github and mirror, so both sets exist. */
type MoreRules = (shop: EgressZone, sets: { [name: string]: DestinationSet }) => void;

function shopApp(scope: Construct, enforcement: Enforcement, more: MoreRules = () => undefined): Chart {
  const chart = new Chart(scope, 'rollout', { disableResourceNameHashes: true });
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.252.0.0/24'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['192.0.2.0/26'] });
  const sets = {
    partners: new DestinationSet(chart, 'partners', { cidrs: [`${ADDR.partners}/32`] }),
    github: new DestinationSet(chart, 'github', { cidrs: [`${ADDR.github}/32`] }),
    mirror: new DestinationSet(chart, 'mirror', { cidrs: [`${ADDR.mirror}/32`] }),
  };
  const shop = new EgressZone(chart, 'shop', { namespaces: ['shop'], enforcement });
  shop.allow('partners', { to: [Destination.set(sets.partners)], ports: [Port.tcp(443)] });
  const ops = new EgressZone(chart, 'ops', { namespaces: ['ops'] });
  ops.allow('github', { to: [Destination.set(sets.github)], ports: [Port.tcp(443)] });
  ops.allow('mirror', { to: [Destination.set(sets.mirror)], ports: [Port.tcp(22)] });
  // No EgressGateway: the observer brings the node agent (the lab runs it by hand on the pod's node, see beforeAll)
  new StagedZoneObserver(chart, 'observer', { namespace: 'egress-observer' });
  more(shop, sets);
  return chart;
}

describeLab('lab: rolling out a staged zone with the flow-log report', () => {
  let lab: Lab;
  let pod: LabPod;
  const pki = fs.mkdtempSync(path.join(os.tmpdir(), 'ceglab-goldmane-pki-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ceglab-rollout-'));
  const dataPath = path.join(out, 'data-path.json');

  /** Synthesizes the app, applies its Calico objects (as the lab does: calicoctl, for Felix's v1 CRDs), writes its model. */
  function applyApp(build: (scope: Construct) => Chart): void {
    let chart: Chart | undefined;
    const docs = synthApp(app => { chart = build(app); }, 'rollout.k8s.yaml');
    lab.calicoctl(['apply', '-f', '-'], toYaml(docs.filter((d: any) => d.apiVersion === 'projectcalico.org/v3' && CALICO_KINDS.has(d.kind))));
    fs.writeFileSync(path.join(out, 'egress-model.json'), JSON.stringify(EgressModel.of(chart!)));
    // The StagedZoneObserver's data-path ConfigMap, as the kubelet updates its volume (a rename): the node agent
    // reads it on change (an enforced app has no staged zone: its observe section goes, and the agent's table too).
    const cm = docs.find((d: any) => d.kind === 'ConfigMap' && d.metadata.name === 'egress-data-path');
    fs.writeFileSync(`${dataPath}.tmp`, cm.data['data-path.json']);
    fs.renameSync(`${dataPath}.tmp`, dataPath);
  }

  /** What the node agent on the pod's node recorded: `main.js observed-addresses`, as `kubectl exec` runs it there. */
  function observedAddresses(): string {
    const file = path.join(out, 'addresses.json');
    fs.writeFileSync(file, nsRun(pod.node.netns, [AGENT_NODE, AGENT_MAIN, 'observed-addresses']));
    return file;
  }

  /** Polls until `fn` gives a value (sleep between tries). */
  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs: number): Promise<T> {
    const t0 = Date.now();
    let last = '';
    while (Date.now() - t0 < timeoutMs) {
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(everyMs);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
  }

  async function report(addresses?: string): Promise<{ code: number; report: RolloutReport }> {
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await mainAsync(['rollout-report', '--app', out, '--flows', GOLDMANE_FROM_HOST, '--ca', `${pki}/ca.crt`,
      '--cert', `${pki}/reporter.crt`, '--key', `${pki}/reporter.key`, '-o', 'json', ...(addresses ? ['--addresses', addresses] : [])],
    l => lines.push(l), l => errors.push(l));
    if (code === 2) throw new Error(errors.join('\n'));
    return { code, report: JSON.parse(lines.join('\n')) };
  }

  beforeAll(async () => {
    const bin = goldmaneBin();
    if (!bin) throw new Error('Goldmane is not built: run scripts/lab/build-goldmane.sh (after scripts/lab/build.sh)');
    buildAgents();
    goldmanePki(pki);
    // What Calico's operator gives calico-node when Goldmane runs: the flow server, a 15 s flush, Felix's client TLS files.
    lab = await Lab.start({
      nodes: 2,
      felixEnv: {
        FELIX_FLOWLOGSGOLDMANESERVER: GOLDMANE,
        FELIX_FLOWLOGSFLUSHINTERVAL: '15',
        FELIX_TYPHACAFILE: `${pki}/ca.crt`,
        FELIX_TYPHACERTFILE: `${pki}/calico-node.crt`,
        FELIX_TYPHAKEYFILE: `${pki}/calico-node.key`,
        FELIX_TYPHACN: 'typha-server',
      },
    });
    lab.startDaemon(lab.controlPlaneNetns, 'goldmane', [bin], {
      PORT: '7443',
      SERVER_CERT_PATH: `${pki}/goldmane.crt`,
      SERVER_KEY_PATH: `${pki}/goldmane.key`,
      CA_CERT_PATH: `${pki}/ca.crt`,
      HEALTH_PORT: '8088',
      LOG_LEVEL: 'info',
      KUBECONFIG: '',
    });
    for (const ns of ['shop', 'ops']) lab.ensureNamespace(ns);
    lab.setDefaultPoolNamespaces('kubernetes.io/metadata.name in {"kube-system", "shop"}');
    applyApp(scope => shopApp(scope, Enforcement.STAGED));
    for (const ip of Object.values(ADDR)) lab.addExternalHost(ip);
    await lab.startExternalServer([22, 443, 8443]);
    pod = await lab.createPod({ namespace: 'shop', name: 'web', node: 0, labels: { app: 'web' } });
    await lab.waitForEndpoint(pod);
    // The node agent on the pod's node, observing only (the app steers nothing); its state file stands in for the
    // API's pods on that node (what --kubernetes would watch).
    const state = path.join(out, 'state.json');
    fs.writeFileSync(state, JSON.stringify({ pods: [{ ip: pod.ip, zone: 'shop', name: 'shop/web' }], gateways: [] }));
    lab.startDaemon(pod.node.netns, 'egress-nat-observer', [AGENT_NODE, AGENT_MAIN, 'node', '--config', dataPath, '--state', state, '--health-port', '9441']);
    await until('the observer table on the pod\'s node', async () => (JSON.parse(nsRun(pod.node.netns, [AGENT_NODE, AGENT_MAIN, 'observed-addresses'])).zones.length ? true : undefined), 60_000, 500);
    await lab.waitForFelix();
    await until('Goldmane answering its Flows API', async () => report(), 60_000, 1000);
  });
  afterAll(() => {
    lab?.stop();
    fs.rmSync(pki, { recursive: true, force: true });
  });

  test('staged: the declared and the undeclared connections all succeed; the report lists exactly the undeclared ones', async () => {
    const connections = [[ADDR.partners, 443], [ADDR.github, 443], [ADDR.mirror, 22], [ADDR.unnamed, 8443]] as const;
    expect(connections.map(([ip, port]) => lab.tcpConnects(pod, ip, port))).toEqual([true, true, true, true]);
    const groups = (r: RolloutReport) => r.groups.map(g => `${g.zone} ${g.destination.kind} ${g.destination.name} ${g.ports.map(p => `${p.protocol}/${p.port}`).join(',')}`);
    const expected = ['shop destination-set github tcp/443', 'shop destination-set mirror tcp/22', 'shop network pub tcp/8443'];
    // Felix flushes every 15 s, Goldmane aggregates in 15 s buckets
    const seen = await until('the three undeclared flows in Goldmane', async () => {
      const { report: r } = await report();
      return expected.every(e => groups(r).includes(e)) ? r : undefined;
    }, 180_000, 5000);
    expect(groups(seen)).toEqual(expected);
    expect(seen.groups.map(g => g.proposal?.code)).toEqual([
      'shop.allow(\'github\', { to: [Destination.set(github)], ports: [Port.tcp(443)] });',
      'shop.allow(\'mirror\', { to: [Destination.set(mirror)], ports: [Port.tcp(22)] });',
      '// shop.allow(\'public-tcp-8443\', { to: [Destination.cidrs([/* the public addresses: Goldmane reports none */])], ports: [Port.tcp(8443)] });',
    ]);
    // The node agent's observer recorded every external destination of the zone's pods (the sets' ones too); joined,
    // the report names the address behind "pub" and the line is complete. The other groups do not change.
    const addresses = observedAddresses();
    const recorded = JSON.parse(fs.readFileSync(addresses, 'utf8')).zones[0].addresses;
    expect(recorded.map((a: any) => `${a.address} ${a.protocol}/${a.port}`)).toEqual([`${ADDR.github} tcp/443`, `${ADDR.mirror} tcp/22`, `${ADDR.partners} tcp/443`, `${ADDR.unnamed} tcp/8443`]);
    expect(recorded.every((a: any) => a.connections >= 1)).toBe(true);
    const { report: joined } = await report(addresses);
    expect(groups(joined)).toEqual(expected);
    expect(joined.groups.map(g => [g.proposal?.code, g.proposal?.complete])).toEqual([
      ['shop.allow(\'github\', { to: [Destination.set(github)], ports: [Port.tcp(443)] });', true],
      ['shop.allow(\'mirror\', { to: [Destination.set(mirror)], ports: [Port.tcp(22)] });', true],
      [`shop.allow('public-tcp-8443', { to: [Destination.cidrs(['${ADDR.unnamed}/32'])], ports: [Port.tcp(8443)] });`, true],
    ]);
    fs.writeFileSync(path.join(out, 'staged-report.json'), JSON.stringify(joined));
    // What Felix v3.31 reports for them (the report's reading of a staged verdict rests on exactly this)
    const records = await listGoldmaneFlows({ url: GOLDMANE_FROM_HOST, caFile: `${pki}/ca.crt`, certFile: `${pki}/reporter.crt`, keyFile: `${pki}/reporter.key` });
    const github = records.filter(r => r.destName === 'github' && r.reporter === 'Src');
    expect(github.length).toBeGreaterThan(0);
    expect([...new Set(github.map(r => `${r.destType} ${r.destNamespace} svc=${r.destServiceName} ${r.action}`))]).toEqual(['NetworkSet - svc=- Allow']);
    expect([...new Set(github.flatMap(r => r.pendingPolicies.map(h => `${h.kind} ${h.tier}/${h.name} ${h.action}`)))])
      .toEqual(['StagedGlobalNetworkPolicy default/egress-shop Deny']);
  });

  test('enforced with the proposed rules but mirror left out: the proposed pass (the observed address too), the rest gets 0 packets', async () => {
    const staged: RolloutReport = JSON.parse(fs.readFileSync(path.join(out, 'staged-report.json'), 'utf8'));
    const apply = staged.groups.map(g => g.proposal!).filter(p => p.complete && p.destinationSet !== 'mirror');
    expect(apply.map(p => p.name)).toEqual(['github', 'public-tcp-8443']);
    applyApp(scope => shopApp(scope, Enforcement.ENFORCED, (shop, sets) => apply.forEach(p => shop.allow(p.name, {
      to: [p.destinationSet ? Destination.set(sets[p.destinationSet]) : Destination.cidrs(p.cidrs!)],
      ports: p.ports.map(x => Port.tcp(x.port)),
    }))));
    lab.calicoctl(['delete', 'stagedglobalnetworkpolicy', 'egress-shop']);
    await lab.waitForFelix(); // (no minimum: node2 runs no pod, so it has no active local policy)
    const counters = {
      partners: lab.externalCounter({ daddr: ADDR.partners, proto: 'tcp', dport: 443 }),
      github: lab.externalCounter({ daddr: ADDR.github, proto: 'tcp', dport: 443 }),
      mirror: lab.externalCounter({ daddr: ADDR.mirror, proto: 'tcp', dport: 22 }),
      unnamed: lab.externalCounter({ daddr: ADDR.unnamed, proto: 'tcp', dport: 8443 }),
      neighbour: lab.externalCounter({ daddr: ADDR.neighbour, proto: 'tcp', dport: 8443 }),
    };
    expect([
      lab.tcpConnects(pod, ADDR.partners, 443), lab.tcpConnects(pod, ADDR.github, 443),
      lab.tcpConnects(pod, ADDR.mirror, 22, 1), lab.tcpConnects(pod, ADDR.unnamed, 8443), lab.tcpConnects(pod, ADDR.neighbour, 8443, 1),
    ]).toEqual([true, true, false, true, false]);
    expect(counters.partners.packets()).toBeGreaterThan(0);
    expect(counters.github.packets()).toBeGreaterThan(0);
    expect(counters.unnamed.packets()).toBeGreaterThan(0);
    expect(counters.mirror.packets()).toBe(0);
    expect(counters.neighbour.packets()).toBe(0);
  });
});
