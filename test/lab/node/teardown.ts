/**
 * What a stopped lab node leaves behind that killing the lab's processes and deleting its network namespaces does not
 * remove: container processes in pod namespaces containerd made, the mounts of containerd (overlayfs root filesystems,
 * the pods' network namespaces) and of the kubelet (tmpfs volumes), and the kubelets' cgroups. stopLab calls this
 * before it deletes the lab's directory; a lab without real nodes has none of it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const CGROUP = '/sys/fs/cgroup';

/** The cgroup (relative to each controller's root) of a lab node's kubelet; one per node, named after the lab's. */
export const nodeCgroupRoot = (labPrefix: string, node: string) => `/${labPrefix}-${node}`;

/** Every cgroup directory below `root` in every mounted v1 controller, deepest first. */
function cgroupDirs(prefix: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
    found.push(d);
  };
  let controllers: string[] = [];
  try { controllers = fs.readdirSync(CGROUP); } catch { return []; }
  for (const c of controllers) {
    let tops: string[] = [];
    try { tops = fs.readdirSync(path.join(CGROUP, c)).filter((t) => t.startsWith(`${prefix}-`)); } catch { continue; }
    for (const t of tops) walk(path.join(CGROUP, c, t));
  }
  return found;
}

function pidsIn(dirs: string[]): number[] {
  const pids = new Set<number>();
  for (const d of dirs) {
    try {
      for (const p of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) pids.add(Number(p));
    } catch { /* gone */ }
  }
  return [...pids];
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir);
  return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m === prefix || m.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * The host-wide sysctls a kubelet sets at start (protectKernelDefaults false: vm.overcommit_memory=1, kernel.panic=10,
 * kernel.panic_on_oops=1, ...). The lab keeps this machine's values in its directory and puts them back when it stops:
 * the machine is shared, and a panic on an oops is not what its owner chose.
 */
const KUBELET_SYSCTLS = ['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops', 'kernel/keys/root_maxkeys', 'kernel/keys/root_maxbytes'];
const SAVED_SYSCTLS = 'host-sysctls.json';

export function saveHostSysctls(dir: string): void {
  const file = path.join(dir, SAVED_SYSCTLS);
  if (fs.existsSync(file)) return;
  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(KUBELET_SYSCTLS.map((k) => [k, fs.readFileSync(`/proc/sys/${k}`, 'utf8').trim()]))));
}

function restoreHostSysctls(dir: string): void {
  const file = path.join(dir, SAVED_SYSCTLS);
  if (!fs.existsSync(file)) return;
  for (const [k, v] of Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>)) {
    try { fs.writeFileSync(`/proc/sys/${k}`, v); } catch { /* read-only here */ }
  }
}

/** Kills what runs in the lab nodes' cgroups, unmounts everything below the lab's directory, removes the cgroups. */
export function teardownNodes(labPrefix: string, dir: string): void {
  const dirs = cgroupDirs(labPrefix);
  for (let i = 0; i < 50; i++) {
    const pids = pidsIn(dirs);
    if (pids.length === 0) break;
    for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    spawnSync('sleep', ['0.1']);
  }
  restoreHostSysctls(dir);
  if (fs.existsSync(dir)) {
    for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  }
  for (const d of dirs) { try { fs.rmdirSync(d); } catch { /* busy or gone */ } }
}
