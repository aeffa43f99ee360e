/**
 * Traffic through the gateway, shared by the gateway lab (played replicas, gateway-lab.ts) and the real nodes'
 * (test/lab/node): the partner's echo servers on the external network, UDP flows and one long-lived TCP connection
 * from a pod's network namespace (test/agent/e2e/traffic.js), and which replica carries a pod's flows (its conntrack).
 */
import { spawn, spawnSync } from 'child_process';
import { TRAFFIC } from '../../agent/e2e/netns-lab';
import { addExternalHost6 } from '../dual-stack-lab';
import { Lab, LabPod, nsRun, waitFor } from '../lab';

export const PARTNER = '203.0.113.140'; // inside the partners zone's allow-list 203.0.113.128/26, tcp/443
export const UDP_PORT = 9000;
export const IPERF_PORT = 5201;

/** One UDP flow's summary from traffic.js: which public sources the server saw, in order, and its longest gap. */
export interface FlowStats {
  readonly flow: number;
  readonly sent: number;
  readonly received: number;
  readonly egress: string[];
  readonly maxGapMs: number;
  readonly firstAt: number;
  readonly sport: number;
}

/** One TCP connection's summary from traffic.js (times in ms since the epoch). */
export interface TcpStats {
  readonly connected: boolean;
  readonly egress?: string;
  readonly sent: number;
  readonly echoes: number;
  readonly maxGapMs: number;
  readonly error?: string;
  readonly startedAt: number;
  readonly lastEchoAt: number;
}

/** The partner: UDP and TCP (80, 443) echo servers and iperf3, on its external address (and its IPv6 one, `partner6`). */
export async function startPartner(lab: Lab, partner6?: string): Promise<void> {
  lab.addExternalHost(PARTNER);
  if (partner6) addExternalHost6(lab, partner6);
  lab.startProcess(lab.externalNetns, [process.execPath, TRAFFIC, 'server', '--udp', String(UDP_PORT), '--tcp', '80,443', '--quiet', 'udp', '--bind', PARTNER,
    ...(partner6 ? ['--v6', partner6] : [])], 'partner-echo');
  // --rcv-timeout: a test whose client vanished (its connections reset on the way) ends instead of keeping the server busy.
  lab.startProcess(lab.externalNetns, ['iperf3', '-s', '-p', String(IPERF_PORT), '--rcv-timeout', '10000'], 'partner-iperf3');
  await waitFor('partner servers listening', () => {
    const ss = nsRun(lab.externalNetns, ['ss', '-Hlntu']);
    return [':443 ', ':80 ', `:${UDP_PORT} `, `:${IPERF_PORT} `].every((p) => ss.includes(p));
  }, 30_000, 200);
}

/** UDP flows from a pod to the partner's echo port (or `to`: "[ipv6]:port"); one socket per flow; each flow's summary. */
export function udpFlows(pod: LabPod, flows: number, everyMs: number, durationMs: number, to = `${PARTNER}:${UDP_PORT}`): Promise<FlowStats[]> {
  return traffic(pod, ['udp', '--to', to, '--flows', String(flows), '--interval', String(everyMs), '--duration', String(durationMs)]);
}

/** One long-lived TCP connection to the partner's 443 echo (or `to`). */
export function tcpFlow(pod: LabPod, everyMs: number, durationMs: number, to = `${PARTNER}:443`): Promise<TcpStats> {
  return traffic(pod, ['tcp', '--to', to, '--interval', String(everyMs), '--duration', String(durationMs)]);
}

/** Which replicas carry the pod's connections to `dport` right now (each replica pod network's conntrack). */
export function carrying<T extends { readonly pod: LabPod }>(replicas: T[], from: LabPod, proto: 'tcp' | 'udp', dport: number): T[] {
  // TCP: established connections only (the closed ones of earlier tests linger in TIME_WAIT).
  const state = proto === 'tcp' ? ['--state', 'ESTABLISHED'] : [];
  return replicas.filter((r) => spawnSync('ip', ['netns', 'exec', r.pod.netns, 'conntrack', '-L', '-p', proto, '--dport', String(dport), '-s', from.ip, ...state],
    { encoding: 'utf8' }).stdout.trim().length > 0);
}

/** Forgets the replicas' UDP entries of earlier streams (they would make "carrying" name a replica of an old stream). */
export function forgetUdp<T extends { readonly pod: LabPod }>(replicas: T[]): void {
  for (const r of replicas) spawnSync('ip', ['netns', 'exec', r.pod.netns, 'conntrack', '-D', '-p', 'udp', '--dport', String(UDP_PORT)], { stdio: 'ignore' });
}

function traffic(pod: LabPod, args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, TRAFFIC, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 180_000);
    p.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch {
        reject(new Error(`traffic.js ${args.join(' ')} printed no JSON: ${out} ${err}`));
      }
    });
  });
}
