/**
 * Builds both images with scripts/build-images.sh (buildah, vfs storage, a local Debian bookworm +
 * Node 22 base) and runs them with podman (runc) in network namespaces: the egress-gateway image as
 * two gateway replicas, the egress-nat image as two node agents (state files instead of the
 * Kubernetes API), with zone pods and an external server (the e2e lab of test/agent/e2e).
 *
 * Opt-in: BUILD_IMAGES=1 npx jest test/images/image-build.test.ts
 * It takes minutes, downloads a Debian base with debootstrap, and needs root, buildah, podman, runc
 * (Debian: apt-get install -y buildah podman debootstrap), so CI does not run it by default.
 * IMAGE_TEST_NO_BUILD=1 reuses images built earlier by the script (same VERSION and storage).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  labConfig, labState, missingPrerequisite, NetnsLab, nsx, Proc, SERVER_ALLOWED, SERVER_DENIED, until,
} from '../agent/e2e/netns-lab';

const REPO = join(__dirname, '..', '..');
const STORAGE = process.env.IMAGE_STORAGE ?? '/var/tmp/cdk8s-egress-images';
const REGISTRY = (process.env.IMAGE_REGISTRY ?? 'ghcr.io/cdk8s-egress').replace(/\/+$/, '');
const VERSION = process.env.VERSION ?? String(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
const GATEWAY_IMAGE = `${REGISTRY}/egress-gateway:${VERSION}`;
const NAT_IMAGE = `${REGISTRY}/egress-nat:${VERSION}`;

function whySkip(): string | undefined {
  if (process.env.BUILD_IMAGES !== '1') {
    return 'set BUILD_IMAGES=1 to build and run the images (takes minutes, downloads a Debian base; not run in CI by default)';
  }
  for (const tool of ['buildah', 'podman', 'runc', 'debootstrap']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `"${tool}" is not installed (apt-get install -y buildah podman debootstrap)`;
  }
  return missingPrerequisite();
}

const skip = whySkip();
if (skip) console.warn(`SKIPPED image build test: ${skip}`);
const suite = skip ? describe.skip : describe;

suite('images built with buildah and run with podman', () => {
  const conf = mkdtempSync(join(tmpdir(), 'egress-images-conf-'));
  // podman's default nofile/nproc ulimits cannot be set in this sandbox: none, as the brief of the build machine says.
  writeFileSync(join(conf, 'containers.conf'), '[containers]\ndefault_ulimits = []\n');
  const env = { ...process.env, CONTAINERS_CONF: join(conf, 'containers.conf') };
  const storage = ['--storage-driver', 'vfs', '--root', `${STORAGE}/storage`, '--runroot', `${STORAGE}/run`];
  const podman = (...args: string[]) => execFileSync('podman', [...storage, '--runtime', 'runc', ...args], { env, encoding: 'utf8' });
  const lab = new NetnsLab({ prefix: 'im', gateways: 2 });
  const containers: string[] = [];
  const egressIps = [1, 2].map((i) => lab.egressIp(i));
  let pay1 = '';

  /**
   * Runs `image` with the security context the constructs give the agents: UID 0, only NET_ADMIN,
   * read-only root filesystem, /tmp in memory, the data-path config mounted read-only at
   * /etc/cdk8s-egress, and (as containerd and CRI-O do) a read-only /proc/sys with the pod's sysctls
   * set by the runtime; the namespace `ns` stands for the pod's network (the node's, for egress-nat).
   */
  function run(name: string, image: string, ns: string, args: string[], opts: { env?: string[]; sysctls?: string[] } = {}): Proc {
    const container = `${lab.ns(name)}-${process.pid}`;
    containers.push(container);
    const argv = [...storage, '--runtime', 'runc', 'run', '--rm', '--name', container,
      '--network', `ns:/run/netns/${ns}`, '--user', '0:0', '--cap-drop', 'all', '--cap-add', 'NET_ADMIN',
      '--read-only', '--tmpfs', '/tmp', '-v', `${lab.dir}:/etc/cdk8s-egress:ro`,
      ...(opts.sysctls ?? []).flatMap((s) => ['--sysctl', s]),
      ...(opts.env ?? []).flatMap((e) => ['-e', e]),
      image, ...args];
    const proc = new Proc(name, spawn('podman', argv, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    lab.procs.push(proc);
    return proc;
  }
  /** The gateway pod's sysctls as the EgressGateway construct sets them (SysctlMethod.POD_SYSCTLS; its init container sets the same). */
  const POD_SYSCTLS = ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'];
  const gateway = (i: number, sysctls = POD_SYSCTLS, name = `g${i}c`) => run(name, GATEWAY_IMAGE, lab.ns(`g${i}`),
    ['gateway', '--config', '/etc/cdk8s-egress/config.json', '--gateway', 'gw'], { env: [`POD_IP=${lab.gatewayPodIp(i)}`], sysctls });
  const nodeAgent = (n: number) => run(`n${n}c`, NAT_IMAGE, lab.ns(`n${n}`),
    ['node', '--config', '/etc/cdk8s-egress/config.json', '--state', `/etc/cdk8s-egress/state-n${n}.json`, '--health-port', '9441']);
  const get = async (ns: string, url: string) => lab.traffic(ns, ['get', '--url', url]);

  beforeAll(async () => {
    if (process.env.IMAGE_TEST_NO_BUILD !== '1') {
      const started = Date.now();
      execFileSync(join(REPO, 'scripts', 'build-images.sh'), [], { stdio: 'inherit', env: { ...process.env, VERSION } });
      console.log(`scripts/build-images.sh took ${Math.round((Date.now() - started) / 1000)} s`);
    }
    lab.create();
    pay1 = lab.addPod(1, 'pay1', '10.201.1.10');
    lab.addPod(2, 'pay2', '10.201.2.10');
    lab.writeConfig(labConfig(lab));
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }], [1, 2]));
    lab.writeState(2, labState(lab, [{ ip: '10.201.2.10', zone: 'payments' }], [1, 2]));
    await lab.startServer().waitFor(/listening/, 10_000, 'out');
  }, 1_800_000);

  afterAll(() => {
    for (const c of containers) spawnSync('podman', [...storage, 'rm', '-f', '-t', '0', c], { env });
    lab.destroy();
    lab.removeDir();
    rmSync(conf, { recursive: true, force: true });
  });

  test('the images carry the version, the entrypoint and the agent\'s tools', () => {
    for (const [image, title] of [[GATEWAY_IMAGE, 'egress-gateway'], [NAT_IMAGE, 'egress-nat']]) {
      const config = JSON.parse(podman('image', 'inspect', image))[0].Config;
      expect(config.Entrypoint).toEqual(['node', '--enable-source-maps', '/app/agent/main.js']);
      expect(config.User).toBe('0:0');
      expect(config.Labels['org.opencontainers.image.version']).toBe(VERSION);
      expect(config.Labels['org.opencontainers.image.title']).toBe(title);
      const tools = podman('run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c',
        'node --version && nft --version && ip -V && bridge -V && conntrack --version && test ! -e /app/src && ls /app');
      expect(tools).toMatch(/^v22\./);
      expect(tools).toMatch(/nftables v1\./);
      expect(tools).toMatch(/conntrack v1\./);
      expect(tools.trim().split('\n').slice(-6)).toEqual(['agent', 'datapath', 'model', 'node_modules', 'package-lock.json', 'package.json']);
    }
  });

  test('gateway replicas from the image program nftables and answer /healthz and /readyz; node agents from the image steer zone traffic to them', async () => {
    const gws = [1, 2].map((i) => gateway(i));
    for (let i = 1; i <= 2; i++) await gws[i - 1].waitFor(new RegExp(`"egressIp":"${lab.egressIp(i).replace(/\./g, '\\.')}"`), 60_000);
    for (let i = 1; i <= 2; i++) {
      expect(nsx(lab.ns(`g${i}`), 'nft list tables')).toContain('table inet cdk8s_egress_gw');
      expect(await get(lab.ns('n1'), `http://${lab.gatewayPodIp(i)}:9440/healthz`)).toMatchObject({ status: 200 });
      expect(await get(lab.ns('n1'), `http://${lab.gatewayPodIp(i)}:9440/readyz`)).toMatchObject({ status: 200 });
    }
    const nodes = [1, 2].map(nodeAgent);
    for (const n of nodes) await n.waitFor(/first sync done/, 60_000);
    for (const n of nodes) await until('both replicas ready', () => /10\.201\.100\.11=ready/.test(n.err) && /10\.201\.100\.12=ready/.test(n.err), 30_000);
    expect(await get(lab.ns('n1'), 'http://127.0.0.1:9441/readyz')).toMatchObject({ status: 200 });

    const flows = await lab.traffic(pay1, ['udp', '--to', `${SERVER_ALLOWED}:9000`, '--flows', '8', '--interval', '20', '--duration', '400']);
    for (const f of flows) {
      expect(f.received).toBeGreaterThan(0);
      expect(egressIps).toContain(f.egress[0]);
    }
    const denied = await lab.traffic(pay1, ['udp', '--to', `${SERVER_DENIED}:9000`, '--flows', '2', '--interval', '20', '--duration', '300']);
    expect(denied.reduce((a: number, f: any) => a + f.received, 0)).toBe(0);
    expect(lab.serverCounts().fromCluster).toBe(0);
    // The node agents cannot set fib_multipath_hash_policy from a container: flows are spread by address only,
    // so all 8 flows of this one pod may sit on either replica. The replicas' counters together saw them.
    const bodies = await Promise.all([1, 2].map((i) => get(lab.ns('n1'), `http://${lab.gatewayPodIp(i)}:9440/metrics`)));
    expect(bodies.map((m) => m.body).join('\n')).toMatch(/^egress_gateway_zone_packets_total\{zone="payments"/m);
  }, 240_000);

  test('without the pod sysctls, a gateway replica refuses to start and says which sysctl to set', async () => {
    const ns = lab.ns('g9');
    spawnSync('ip', ['netns', 'add', ns]);
    nsx(ns, 'ip link set lo up');
    try {
      const g = run('g9c', GATEWAY_IMAGE, ns, ['gateway', '--config', '/etc/cdk8s-egress/config.json', '--gateway', 'gw'], { env: [`POD_IP=${lab.gatewayPodIp(1)}`] });
      // Polled, not g.wait(): its 60 s timer would keep jest alive after the test.
      await until('the replica to exit', () => g.exited !== undefined, 60_000);
      expect(g.exited).toBe(2);
      expect(g.err + g.out).toMatch(/sysctl net\.ipv4\.ip_forward must be 1 and cannot be written here/);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  }, 120_000);
});
