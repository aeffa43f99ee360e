/**
 * Issue 16 in the real-cluster lab (test/lab/lab.ts): the example's EgressGateway output applied to a real
 * kube-apiserver, the gateway replicas as real Pods addressed by calico-ipam from the egress pool, Felix on
 * every node, and the agents started as the kubelet would start their containers: the images' entrypoint
 * (images/build/agent/main.js on Node 22) with the container's args, in the pod's network namespace (the
 * node's for egress-nat), the pod sysctls set, the ConfigMap's file as the config, and for egress-nat the
 * token of the ServiceAccount we emit mounted where in-cluster config reads it.
 * Differences from a kubelet, said here once: there is no kube-proxy in the lab, so the in-cluster config
 * points at the API server's own address instead of the `kubernetes` Service VIP; the config file path is
 * the lab's copy of the ConfigMap rather than /etc/cdk8s-egress (the same bytes).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AGENT_MAIN, AGENT_NODE, buildAgents } from '../../agent/e2e/netns-lab';
import { Lab, LabPod, nsRun, sleep, waitFor } from '../lab';
import { describeLab, synthExample, toYaml } from '../suite';

jest.setTimeout(900_000);

const CALICO_KINDS = new Set(['IPPool', 'GlobalNetworkPolicy', 'GlobalNetworkSet', 'NetworkPolicy', 'NetworkSet']);
const PARTNER = '203.0.113.140'; // inside the partners zone's allow-list 203.0.113.128/26, tcp/443
const NS = 'egress-gateway';
const SA = 'egress-nat';

const inCidr = (ip: string, base: string, bits: number): boolean => {
  const n = (s: string): number => s.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  return (n(ip) >>> (32 - bits)) === (n(base) >>> (32 - bits));
};

describeLab('lab: the egress gateway on a real API server and Felix', () => {
  let lab: Lab;
  let docs: any[] = [];
  let work = '';
  let configFile = '';
  let token = '';
  const gateways: LabPod[] = [];
  const pods: Record<string, LabPod> = {};
  const logs: Record<string, string> = {};
  const log = (name: string) => (fs.existsSync(logs[name]) ? fs.readFileSync(logs[name], 'utf8') : '');
  const kind = (k: string, name?: string) => docs.find((d) => d.kind === k && (!name || d.metadata.name === name));

  /** kubectl as the egress-nat ServiceAccount (its token only): exit status and output. */
  const asAgent = (args: string[]) => spawnSync(path.join(lab.bin, 'kubectl'), [
    '--kubeconfig', '/dev/null', '--server', 'https://169.254.77.2:6443', '--certificate-authority', path.join(lab.dir, 'pki', 'ca.crt'),
    '--token', token, ...args], { encoding: 'utf8', timeout: 30_000 });

  beforeAll(async () => {
    buildAgents();
    lab = await Lab.start({ nodes: 3 });
    work = path.join(lab.dir, 'gateway');
    fs.mkdirSync(work, { recursive: true });
    docs = synthExample('calico').docs;
    for (const ns of new Set(docs.map((d) => d.metadata?.namespace).filter(Boolean))) lab.ensureNamespace(ns as string);
    // Everything the example emits (the gateway's IPPool, Deployment, PDB, Service, policy, ConfigMap, DaemonSet,
    // ServiceAccount, RBAC, and the zones' policies); Calico kinds also through calicoctl, which Felix reads.
    lab.apply(toYaml(docs));
    const calico = docs.filter((d) => d.apiVersion === 'projectcalico.org/v3' && CALICO_KINDS.has(d.kind));
    calico.push({
      apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'lab-default' },
      spec: { cidr: '10.252.0.0/24', blockSize: 28, natOutgoing: true, nodeSelector: 'all()', namespaceSelector: 'projectcalico.org/name not in {"payments", "batch", "reporting", "egress-gateway"}' },
    });
    lab.calicoctl(['apply', '-f', '-'], toYaml(calico));
    // The ConfigMap volume: the file the agents read, byte for byte.
    configFile = path.join(work, 'data-path.json');
    fs.writeFileSync(configFile, kind('ConfigMap', 'egress-data-path').data['data-path.json']);
    lab.addExternalHost(PARTNER);
    lab.startExternalServer([80, 443]);
    token = lab.kubectl(['create', 'token', SA, '-n', NS, '--duration', '2h']).trim();
  });
  afterAll(() => {
    if (process.env.EGRESS_LAB_DEBUG) for (const n of Object.keys(logs)) console.log(`--- ${n}\n${log(n).slice(-4000)}`);
    lab?.stop();
  });

  test('RBAC: the emitted ServiceAccount, bound by the emitted ClusterRole, may list and watch pods and EndpointSlices, nothing else', () => {
    const allowed = [
      ['get', 'pods', '-A', '--field-selector', 'spec.nodeName=node1'],
      ['get', 'endpointslices.discovery.k8s.io', '-A', '-l', 'kubernetes.io/service-name'],
      ['get', '--raw', '/api/v1/pods?watch=true&timeoutSeconds=1&fieldSelector=spec.nodeName%3Dnode1'],
      ['get', '--raw', '/apis/discovery.k8s.io/v1/endpointslices?watch=true&timeoutSeconds=1'],
    ];
    for (const a of allowed) {
      const r = asAgent(a);
      expect({ args: a.join(' '), status: r.status, err: r.stderr.trim() }).toEqual({ args: a.join(' '), status: 0, err: '' });
    }
    const forbidden = [
      ['get', 'pod', 'dns', '-n', 'kube-system'], // get is not list
      ['get', 'secrets', '-A'],
      ['get', 'configmaps', '-n', NS],
      ['get', 'nodes'],
      ['get', 'endpoints', '-A'],
      ['get', 'services', '-A'],
      ['delete', 'pod', 'dns', '-n', 'kube-system', '--dry-run=server'],
      ['create', 'configmap', 'x', '-n', NS, '--dry-run=server'],
      ['get', 'networkpolicies.crd.projectcalico.org', '-A'],
    ];
    for (const a of forbidden) {
      const r = asAgent(a);
      expect({ args: a.join(' '), status: r.status }).toEqual({ args: a.join(' '), status: 1 });
      expect(r.stderr).toMatch(/Forbidden|forbidden/);
    }
  });

  test('gateway replicas: real Pods whose addresses calico-ipam takes from the egress pool through the annotation we emit', async () => {
    const tpl = kind('Deployment').spec.template;
    const container = tpl.spec.containers[0];
    for (const i of [1, 2]) {
      const pod = await lab.createPod({ namespace: NS, name: `egress-gateway-lab-${i}`, node: i, labels: tpl.metadata.labels, annotations: tpl.metadata.annotations });
      gateways.push(pod);
      expect(inCidr(pod.ip, '192.0.2.64', 29)).toBe(true);
      // The runtime's part: the pod sysctls in the pod's namespace.
      for (const s of tpl.spec.securityContext.sysctls) nsRun(pod.netns, ['sysctl', '-qw', `${s.name}=${s.value}`]);
      const args = container.args.map((a: string) => (a === '/etc/cdk8s-egress/data-path.json' ? configFile : a));
      logs[pod.name] = path.join(lab.dir, `${pod.name}.log`);
      lab.startProcess(pod, ['env', `POD_IP=${pod.ip}`, AGENT_NODE, AGENT_MAIN, ...args], pod.name);
    }
    for (const g of gateways) await waitFor(`${g.name} programmed`, () => /"msg":"applied","egressIp":"192\.0\.2\.6/.test(log(g.name)), 60_000, 500);
    // The real EndpointSlice controller lists both replicas, ready.
    const svc = kind('Service').metadata.name;
    await waitFor('EndpointSlice with both replicas', () => {
      const s = JSON.parse(lab.kubectl(['get', 'endpointslices', '-n', NS, '-l', `kubernetes.io/service-name=${svc}`, '-o', 'json']));
      const ready = s.items.flatMap((x: any) => x.endpoints ?? []).filter((e: any) => e.conditions?.ready).flatMap((e: any) => e.addresses);
      return gateways.every((g) => ready.includes(g.ip));
    }, 60_000, 1000);
  });

  test('node agents: the Kubernetes adapter with the ServiceAccount token (in-cluster config) sees the zone pods and the replicas', async () => {
    pods.client = await lab.createPod({ namespace: 'partners', name: 'partner-sync', node: 0, labels: { app: 'sync' } });
    pods.outside = await lab.createPod({ namespace: 'sandbox', name: 'outside', node: 0, labels: { app: 'x' } });
    const sa = path.join(work, 'serviceaccount');
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, 'token'), token);
    fs.copyFileSync(path.join(lab.dir, 'pki', 'ca.crt'), path.join(sa, 'ca.crt'));
    fs.writeFileSync(path.join(sa, 'namespace'), NS);
    const ds = kind('DaemonSet').spec.template.spec.containers[0];
    for (const n of lab.nodes) {
      const args = ds.args.map((a: string) => (a === '/etc/cdk8s-egress/data-path.json' ? configFile : a));
      const mount = '/run/secrets/kubernetes.io/serviceaccount';
      const script = `mkdir -p ${mount} && mount -t tmpfs tmpfs ${mount} && cp ${sa}/token ${sa}/ca.crt ${sa}/namespace ${mount}/ && exec "$@"`;
      logs[`egress-nat-${n.name}`] = path.join(lab.dir, `egress-nat-${n.name}.log`);
      lab.startProcess(n.netns, ['unshare', '-m', 'sh', '-c', script, 'sh', 'env', 'KUBERNETES_SERVICE_HOST=192.0.2.2', 'KUBERNETES_SERVICE_PORT=6443',
        `NODE_NAME=${n.name}`, AGENT_NODE, AGENT_MAIN, ...args], `egress-nat-${n.name}`);
    }
    for (const n of lab.nodes) await waitFor(`egress-nat on ${n.name} synced`, () => /first sync done/.test(log(`egress-nat-${n.name}`)), 90_000, 500);
    const node1 = () => log('egress-nat-node1');
    await waitFor('both replicas ready on node1', () => gateways.every((g) => new RegExp(`"ip":"${g.ip.replace(/\./g, '\\.')}","from":"[a-z]+","to":"ready"`).test(node1())), 30_000, 500);
    const table = nsRun(lab.nodes[0].netns, ['nft', 'list', 'table', 'inet', 'cdk8s_egress_node']);
    expect(table).toContain(`${pods.client.ip} : jump zone_57`); // the partners pod, from the real API
    expect(table).not.toContain(pods.outside.ip);
  });

  test('1. allowed traffic leaves with a gateway egress IP as its source, and the reply comes back', async () => {
    await lab.waitForEndpoint(pods.client);
    await lab.waitForFelix();
    const fromGateways = gateways.map((g) => lab.externalCounter({ saddr: g.ip, daddr: PARTNER, proto: 'tcp', dport: 443 }));
    const fromPod = lab.externalCounter({ saddr: pods.client.ip, daddr: PARTNER });
    const fromNode = lab.externalCounter({ saddr: pods.client.node.ip, daddr: PARTNER });
    const connected = lab.tcpConnects(pods.client, PARTNER, 443, 3);
    const seen = { gateways: fromGateways.map((c) => c.packets()), pod: fromPod.packets(), node: fromNode.packets() };
    // eslint-disable-next-line no-console
    console.log(`behaviour 1: connected=${connected}, packets at the partner ${JSON.stringify(seen)}`);
    expect(seen.pod).toBe(0);
    expect(seen.node).toBe(0);
    expect(seen.gateways.reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // the request left with an egress IP
    expect(connected).toBe(true); // and the reply came back to the pod
  });

  test('2. denied traffic never arrives (0 packets at the external side)', async () => {
    const leaks = [lab.externalCounter({ daddr: PARTNER, proto: 'tcp', dport: 80 }), lab.externalCounter({ daddr: PARTNER, proto: 'udp' })];
    expect(lab.tcpConnects(pods.client, PARTNER, 80, 2)).toBe(false);
    lab.udpSend(pods.client, PARTNER, 443);
    await sleep(500);
    expect(leaks.map((c) => c.packets())).toEqual([0, 0]);
  });

  test('3. a pod outside every zone leaves as Calico alone has it leave (natOutgoing: the node address)', () => {
    const fromNode = lab.externalCounter({ saddr: pods.outside.node.ip, daddr: PARTNER, proto: 'tcp', dport: 443 });
    const viaGateway = gateways.map((g) => lab.externalCounter({ saddr: g.ip, daddr: PARTNER }));
    expect(lab.tcpConnects(pods.outside, PARTNER, 443, 3)).toBe(true);
    expect(fromNode.packets()).toBeGreaterThan(0);
    expect(viaGateway.map((c) => c.packets())).toEqual([0, 0]);
  });
});
