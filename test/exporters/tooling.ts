/**
 * Running real tools (nft, iptables-restore, ip netns) from tests: a check skips with a clear message when
 * a tool or the privilege is missing, except under CI, where it must fail instead.
 */
import { spawnSync } from 'child_process';
import { describeUnlessMissing } from '../support/describe-prerequisite';

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: string[], input?: string): RunResult {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

export function hasTool(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** A command prefix that runs in a fresh network namespace (root not needed), or undefined. */
export function isolatedPrefix(): string[] | undefined {
  if (hasTool('unshare') && run('unshare', ['-rn', 'true']).status === 0) return ['unshare', '-rn'];
  return undefined;
}

/**
 * Returns why a tool-backed test cannot run ("" when it can). Under CI a missing prerequisite is a
 * failure: the caller registers a failing test with that message.
 */
export function missing(tools: string[], needRoot = false): string {
  const absent = tools.filter(t => !hasTool(t));
  if (absent.length) return `missing tools: ${absent.join(', ')} (apt-get install -y nftables iptables iproute2)`;
  if (needRoot && process.getuid && process.getuid() !== 0) return 'needs root (network namespaces)';
  if (!needRoot && !isolatedPrefix()) return 'cannot create a network namespace (unshare -rn failed)';
  return '';
}

/** `describe` when the prerequisites are there; otherwise a skip (or, under CI, a failure) with the reason. */
export function describeWithTools(name: string, tools: string[], needRoot: boolean, fn: () => void): void {
  describeUnlessMissing(name, missing(tools, needRoot), fn);
}
