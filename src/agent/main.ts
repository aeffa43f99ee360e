import { readFileSync } from 'node:fs';
import { GatewayAgent } from './gateway/gateway-agent';
import { AddressObserver, readObservedAddresses } from './node/address-observer';
import { linuxDnsKernel } from './node/dns-enforcer';
import { NodeAgent } from './node/node-agent';
import { PROBE_VOLLEY } from './node/probe-volley';
import { ReplyLiveness } from './node/reply-liveness';
import { StateFileSource, ClusterSource } from './shared/cluster-source';
import { LinuxKernel } from './shared/linux-kernel';
import { log } from './shared/log';
import { runCommand } from './shared/run-command';
import { applySysctls } from './shared/sysctl-init';

const USAGE = `usage:
  main.js sysctls <net.ipv4.key=value or net.ipv6.key=value>...
  main.js gateway --config <file> --gateway <name> --pod-ip <ip> [--health-port <n>] [--health-host <ip>]
  main.js node    --config <file> (--state <file> | --kubernetes --node-name <name>) [--health-port <n>] [--health-host <ip>]
                  [--probes-only]   (replicas' replies are no proof of life: the behaviour before issue 22, for comparison)
                  [--no-probe-volley]   (no extra probes when an answer is overdue: the behaviour before, for comparison)
  main.js observed-addresses   (prints what this node's address observer recorded, as JSON)`;

/** Entry point of both images: `egress-gateway` runs `gateway`, `egress-nat` runs `node`. */
async function main(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  if (mode === 'observed-addresses') {
    // What `kubectl exec` of the node agent prints for `rollout-report --addresses` (docs/rolling-out.md).
    process.stdout.write(JSON.stringify(await readObservedAddresses((cmd, stdin) => runCommand(cmd, stdin), process.env.NODE_NAME ?? '')) + '\n');
    return;
  }
  if (mode === 'sysctls') {
    await applySysctls(new LinuxKernel(), rest);
    log('info', 'sysctls set', { sysctls: rest });
    return;
  }
  const args = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    if (!rest[i].startsWith('--')) throw new Error(`unexpected argument "${rest[i]}"\n${USAGE}`);
    const flag = rest[i].slice(2);
    if (['kubernetes', 'probes-only', 'no-probe-volley'].includes(flag)) args.set(flag, 'true');
    else args.set(flag, rest[++i] ?? '');
  }
  const need = (k: string, env?: string) => {
    const v = args.get(k) ?? (env ? process.env[env] : undefined);
    if (!v) throw new Error(`missing --${k}\n${USAGE}`);
    return v;
  };
  const configPath = need('config');
  const configText = readFileSync(configPath, 'utf8');
  const kernel = new LinuxKernel();
  const healthPort = args.has('health-port') ? Number(args.get('health-port')) : undefined;
  const healthHost = args.get('health-host');

  if (mode === 'gateway') {
    const podIp = underlayAddress(need('pod-ip', 'POD_IP'));
    const agent = new GatewayAgent({ configPath, gateway: need('gateway', 'EGRESS_GATEWAY'), podIp, kernel, healthPort, healthHost }, configText);
    await agent.start();
    process.once('SIGTERM', () => {
      void agent.drain().then(() => process.exit(0));
    });
  } else if (mode === 'node') {
    let source: ClusterSource;
    if (args.has('state')) {
      source = new StateFileSource(need('state'));
    } else if (args.has('kubernetes')) {
      // Loaded only in cluster mode: the Kubernetes client is large and slow to load.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { KubernetesSource } = require('./shared/kubernetes-source') as typeof import('./shared/kubernetes-source');
      source = new KubernetesSource(need('node-name', 'NODE_NAME'));
    } else {
      throw new Error(`one of --state or --kubernetes is required\n${USAGE}`);
    }
    const dnsKernel = linuxDnsKernel((cmd, stdin) => runCommand(cmd, stdin));
    const observer = new AddressObserver((cmd, stdin) => runCommand(cmd, stdin));
    const liveness = args.has('probes-only') ? undefined : new ReplyLiveness((cmd, stdin) => runCommand(cmd, stdin));
    const volley = args.has('no-probe-volley') ? undefined : PROBE_VOLLEY;
    const options = { configPath, source, kernel, dnsKernel, observer, liveness, volley, healthPort: healthPort ?? 9441, healthHost };
    const agent = new NodeAgent(options, configText);
    await agent.start();
    // Rules stay in place on exit: a restarting agent must not open a gap nor leak traffic.
    process.once('SIGTERM', () => process.exit(0));
  } else {
    throw new Error(`unknown mode "${mode ?? ''}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  log('error', 'cannot start', { error: e.message });
  process.exit(2);
});

/**
 * The replica's underlay (tunnel) address: the pod's IPv4 address. A dual-stack gateway gets `status.podIPs` (both
 * families, comma-separated; `status.podIP` is the cluster's primary family, which may be IPv6).
 */
function underlayAddress(podIps: string): string {
  const v4 = podIps.split(',').map((a) => a.trim()).find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
  if (!v4) throw new Error(`POD_IP "${podIps}" has no IPv4 address: the tunnels ride the IPv4 underlay`);
  return v4;
}
