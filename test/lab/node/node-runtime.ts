/**
 * Real lab nodes (issue 23): each lab node runs its own containerd (CRI, overlayfs, Debian's runc) and a kubelet in the
 * node's network namespace, with the CNI config Calico's installer writes, and kube-proxy in nftables mode; the control
 * plane gets kube-scheduler. The kubelets register their Nodes, the scheduler binds Pods to them, and the kubelets run
 * the Pods from images imported into each node's containerd (scripts/lab/node/images.sh): no Pod is played by the lab.
 * Every component authenticates with its own client certificate (system:node:<name>, system:kube-proxy,
 * system:kube-scheduler) signed by the lab's CA, and the API server authorizes kubelets with the Node authorizer.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  calicoConflist, cniConfDir, containerdConfig, containerdSocket, kubeletConfig, kubeletRoot, kubeProxyConfig, NodePaths, podLogsDir,
} from './node-config';
import { nodeCgroupRoot, saveHostSysctls } from './teardown';
import { CP_IP, kubeconfigJson, Lab, LAB_PREFIX, LabNode, LabNodeRuntime, run, waitFor } from '../lab';

const REPO = path.resolve(__dirname, '..', '..', '..');
const RUNC = '/usr/sbin/runc';
const API_SERVER = `https://${CP_IP}:6443`;

/** A `key=value` line of a build's record (`.complete`): what the script built, as it built it. */
export function recorded(dir: string, key: string): string {
  const m = new RegExp(`^${key}=(.*)$`, 'm').exec(fs.readFileSync(path.join(dir, '.complete'), 'utf8'));
  if (!m) throw new Error(`${dir}/.complete records no ${key}`);
  return m[1];
}

function printed(script: string, flag: string): string | undefined {
  const r = spawnSync('bash', [path.join(REPO, 'scripts', 'lab', 'node', script), flag], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The node binaries (scripts/lab/node/build.sh) and the image archives (images.sh), when both are complete. */
export function nodeArtifacts(): { bin: string; images: string } | undefined {
  const bin = printed('build.sh', '--print-bin');
  const images = printed('images.sh', '--print-dir');
  return bin && images ? { bin, images } : undefined;
}

/** Why real nodes cannot run here (besides what the lab itself needs), or undefined. */
export function nodeUnavailableReason(): string | undefined {
  if (!fs.existsSync(RUNC)) return `${RUNC} is missing (apt-get install runc)`;
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0) return 'promtool is missing (apt-get install prometheus)';
  if (!printed('build.sh', '--print-bin')) return 'the lab node is not built (run scripts/lab/node/build.sh)';
  if (!printed('images.sh', '--print-dir')) return 'the images are not built (run scripts/lab/node/images.sh)';
  return undefined;
}

export class NodeRuntime implements LabNodeRuntime {
  /** The sandbox image build.sh wrote (node/versions.env, PAUSE_IMAGE). */
  private readonly sandboxImage: string;
  /** The lab's client-tools image (test/lab/node/tools) images.sh built, for the cluster DNS and test pods. */
  public readonly toolsImage: string;

  constructor(private readonly bin: string, private readonly images: string) {
    this.sandboxImage = recorded(bin, 'PAUSE_IMAGE');
    this.toolsImage = recorded(images, 'tools');
  }

  public paths(lab: Lab, n: LabNode): NodePaths {
    return { name: n.name, ip: n.ip, dir: path.join(lab.dir, n.name), cgroupRoot: nodeCgroupRoot(LAB_PREFIX, n.name) };
  }

  /** ctr against a node's containerd, in the namespace CRI uses. */
  public ctr(lab: Lab, n: LabNode, args: string[]): string {
    return run(path.join(this.bin, 'ctr'), ['--address', containerdSocket(this.paths(lab, n)), '--namespace', 'k8s.io', ...args], { timeoutMs: 300_000 });
  }

  public async startNodes(lab: Lab): Promise<void> {
    const pki = path.join(lab.dir, 'pki');
    const cpKubeconfig = this.identity(lab, 'kube-scheduler', '/CN=system:kube-scheduler', 'https://127.0.0.1:6443');
    lab.startDaemon(lab.controlPlaneNetns, 'kube-scheduler', [path.join(this.bin, 'kube-scheduler'), `--kubeconfig=${cpKubeconfig}`,
      `--authentication-kubeconfig=${cpKubeconfig}`, `--authorization-kubeconfig=${cpKubeconfig}`, '--leader-elect=false', '--v=1']);
    for (const n of lab.nodes) this.startContainerd(lab, n);
    for (const n of lab.nodes) await this.importImages(lab, n);
    saveHostSysctls(lab.dir);
    for (const n of lab.nodes) this.startKubelet(lab, n, pki);
    for (const n of lab.nodes) {
      await waitFor(`kubelet of ${n.name} registered and Ready`, () => {
        const ready = lab.kubectl(['get', 'node', n.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).trim();
        return ready === 'True';
      }, 180_000, 1000);
      // What calico-node's start-up writes on its Node (Felix and calico-ipam read the node's address from it).
      lab.kubectl(['annotate', 'node', n.name, '--overwrite', `projectcalico.org/IPv4Address=${n.ip}/26`]);
    }
    for (const n of lab.nodes) this.startKubeProxy(lab, n);
    this.startFabric(lab);
  }

  /**
   * The fabric's part, where a Calico cluster runs BGP (BIRD, part of calico-node, is not built here): every IPAM block
   * is routed to the node it is affine to, as calico-node announces its blocks. The lab's router learns them from the
   * API every second (the suites without real nodes add each pod's /32 as they create it).
   */
  private startFabric(lab: Lab): void {
    const via = lab.nodes.map((n) => `host:${n.name}) echo ${n.ip};;`).join(' ');
    const script = `while :; do ${path.join(lab.bin, 'kubectl')} --kubeconfig ${lab.nodeKubeconfig} get ipamblocks.crd.projectcalico.org `
      + '-o jsonpath=\'{range .items[*]}{.spec.cidr} {.spec.affinity}{"\\n"}{end}\' | while read -r cidr affinity; do '
      + `gw=$(case "$affinity" in ${via} *) ;; esac); [ -n "$gw" ] && ip route replace "$cidr" via "$gw"; done; sleep 1; done`;
    lab.startDaemon(lab.routerNetns, 'fabric', ['bash', '-c', script]);
  }

  /**
   * The cluster DNS as a real Deployment (dnsmasq from the tools image, its config a ConfigMap) behind the lab's
   * kube-dns Service; returns its Pod's address.
   */
  public async startDns(lab: Lab, dnsmasqConf: string[]): Promise<string> {
    const labels = { 'k8s-app': 'kube-dns' };
    lab.apply([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-dns', namespace: 'kube-system' }, data: { 'dnsmasq.conf': `${dnsmasqConf.join('\n')}\n` } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'kube-dns', namespace: 'kube-system', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              dnsPolicy: 'Default',
              containers: [{
                name: 'dnsmasq',
                image: this.toolsImage,
                imagePullPolicy: 'Never',
                command: ['dnsmasq', '--keep-in-foreground', '--log-facility=-', '--conf-file=/etc/dnsmasq/dnsmasq.conf'],
                volumeMounts: [{ name: 'config', mountPath: '/etc/dnsmasq' }],
              }],
              volumes: [{ name: 'config', configMap: { name: 'kube-dns' } }],
            },
          },
        },
      },
    ].map((d) => YAML.stringify(d)).join('---\n'));
    try {
      return await waitFor('the kube-dns Pod Ready', () => {
        const pod = JSON.parse(lab.kubectl(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'json'])).items[0];
        const ready = pod?.status.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
        return ready ? pod.status.podIP as string : undefined;
      }, 240_000, 1000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${lab.kubectl(['describe', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns'])}`);
    }
  }

  /** A client certificate for `subject` signed by the lab's CA, and a kubeconfig with it for `server`. */
  private identity(lab: Lab, name: string, subject: string, server: string): string {
    const d = path.join(lab.dir, 'pki');
    const o = (...args: string[]) => run('openssl', args);
    o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${d}/${name}.key`, '-out', `${d}/${name}.csr`, '-subj', subject);
    fs.writeFileSync(`${d}/${name}.ext`, 'extendedKeyUsage=clientAuth\n');
    o('x509', '-req', '-in', `${d}/${name}.csr`, '-CA', `${d}/ca.crt`, '-CAkey', `${d}/ca.key`, '-CAcreateserial', '-out', `${d}/${name}.crt`, '-days', '2', '-extfile', `${d}/${name}.ext`);
    const file = path.join(lab.dir, `${name}.kubeconfig`);
    fs.writeFileSync(file, kubeconfigJson(server, `${d}/ca.crt`, `${d}/${name}.crt`, `${d}/${name}.key`));
    return file;
  }

  private startContainerd(lab: Lab, n: LabNode): void {
    const p = this.paths(lab, n);
    for (const d of [path.join(p.dir, 'containerd'), cniConfDir(p), kubeletRoot(p), podLogsDir(p)]) fs.mkdirSync(d, { recursive: true });
    const config = path.join(p.dir, 'containerd.toml');
    fs.writeFileSync(config, containerdConfig(p, [lab.bin, this.bin], this.sandboxImage, RUNC));
    // The CNI config goes in first, as calico-node's install-cni writes it before the node's pods start.
    // Its kubeconfig is the lab's admin one (install-cni writes the calico-cni ServiceAccount's token; the lab has no
    // calico-node to own that account).
    fs.writeFileSync(path.join(cniConfDir(p), '10-calico.conflist'), calicoConflist(p, lab.nodeKubeconfig));
    lab.startDaemon(n.netns, `containerd-${n.name}`, [path.join(this.bin, 'containerd'), '--config', config, '--log-level', 'warn'],
      { PATH: `${this.bin}:${process.env.PATH}` }, true);
  }

  private async importImages(lab: Lab, n: LabNode): Promise<void> {
    const sock = containerdSocket(this.paths(lab, n));
    await waitFor(`containerd of ${n.name}`, () => fs.existsSync(sock) && spawnSync(path.join(this.bin, 'ctr'), ['--address', sock, 'version'], { stdio: 'ignore' }).status === 0, 60_000, 250);
    this.ctr(lab, n, ['images', 'import', '--local', path.join(this.bin, 'pause.oci.tar')]);
    for (const f of fs.readdirSync(this.images).filter((x) => x.endsWith('.tar'))) {
      this.ctr(lab, n, ['images', 'import', '--local', path.join(this.images, f)]);
    }
  }

  private startKubelet(lab: Lab, n: LabNode, pki: string): void {
    const p = this.paths(lab, n);
    // cgroupfs on v1: the kubelet's cgroup root must exist in every controller; cpuset's needs its parent's cpus/mems.
    for (const c of fs.readdirSync('/sys/fs/cgroup')) {
      const dir = path.join('/sys/fs/cgroup', c, p.cgroupRoot);
      if (!fs.existsSync(path.join('/sys/fs/cgroup', c, 'cgroup.procs'))) continue;
      fs.mkdirSync(dir, { recursive: true });
      if (c === 'cpuset') {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) fs.writeFileSync(path.join(dir, f), fs.readFileSync(path.join('/sys/fs/cgroup', c, f)));
      }
    }
    const config = path.join(p.dir, 'kubelet.yaml');
    fs.writeFileSync(config, YAML.stringify(kubeletConfig(p, path.join(pki, 'ca.crt'))));
    const kubeconfig = this.identity(lab, `kubelet-${n.name}`, `/O=system:nodes/CN=system:node:${n.name}`, API_SERVER);
    lab.startDaemon(n.netns, `kubelet-${n.name}`, [path.join(this.bin, 'kubelet'), `--config=${config}`, `--kubeconfig=${kubeconfig}`,
      `--root-dir=${kubeletRoot(p)}`, `--cert-dir=${path.join(p.dir, 'kubelet-pki')}`, `--hostname-override=${n.name}`, `--node-ip=${n.ip}`, '--v=1'], {}, true);
  }

  private startKubeProxy(lab: Lab, n: LabNode): void {
    const p = this.paths(lab, n);
    const kubeconfig = this.identity(lab, `kube-proxy-${n.name}`, '/CN=system:kube-proxy', API_SERVER);
    const config = path.join(p.dir, 'kube-proxy.yaml');
    fs.writeFileSync(config, YAML.stringify(kubeProxyConfig(p, kubeconfig)));
    lab.startDaemon(n.netns, `kube-proxy-${n.name}`, [path.join(this.bin, 'kube-proxy'), `--config=${config}`, '--v=1'], {}, true);
  }
}
