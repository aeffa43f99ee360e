import { Kernel } from './kernel';

/**
 * The images' `sysctls` mode, run as an init container: sets each `key=value` in the container's network namespace
 * (the pod's own; the host's for the host-network node agent) and exits. Only keys under net.ipv4 and net.ipv6 are
 * accepted: whatever asks for more is not ours.
 */
export async function applySysctls(kernel: Kernel, pairs: string[]): Promise<void> {
  // All checked before any is written: on the host network a refused list leaves the host as it was.
  const parsed = pairs.map((p) => {
    const m = /^(net\.ipv[46]\.[a-z0-9_.]+)=([0-9]+)$/.exec(p);
    if (!m) throw new Error(`sysctl "${p}" is not net.ipv4.<key>=<number> or net.ipv6.<key>=<number>`);
    return [m[1], m[2]] as const;
  });
  for (const [key, value] of parsed) await kernel.setSysctl(key, value);
}
