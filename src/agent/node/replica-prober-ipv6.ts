import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { answerReceived, armAnswerDeadline, DeadEvidence, LifeSigns, probeSent, stopProbing } from './answer-deadline';
import { watchForOverdue } from './probe-volley';
import { observeAnswered, observeSent, ProberOptions } from './prober-options';
import { ReplyLifeSigns } from './reply-liveness';
import { GatewayConfig } from '../../datapath';
import { log } from '../shared/log';
import { parseProbeAnswer } from '../shared/probe-frame';
import { buildProbeFrameV6 } from '../shared/probe-frame-ipv6';
import { ipv6EgressIps } from '../shared/tunnel-ipv6';
import { vxlanMacFor } from '../shared/vxlan-mac';

/** One replica the IPv6 probe targets (the IPv4 prober's key, so both verdicts name the same replica). */
export interface Ipv6Target { readonly key: string; readonly ip: string; readonly gateway: GatewayConfig; readonly vni: number }

interface Tracked6 extends Ipv6Target {
  readonly token: number;
  socket?: dgram.Socket;
  nodeIp?: string;
  timer?: NodeJS.Timeout;
  deadline?: NodeJS.Timeout;
  seq: number;
  firstSentAt: number;
  lastAnswerAt: number;
  unanswered: number[];
  forwards?: boolean;
  /** Its IPv6 replies through the tunnel (reply-liveness.ts). */
  signs?: LifeSigns;
  /** When the last probes left, by seq (prober-options.ts): an answer's round trip. */
  readonly sentAt: number[];
}

/**
 * Whether each replica forwards IPv6, decided as replica-prober.ts decides it for IPv4 and on the same cadence
 * (probe.intervalMs; dead after (failureThreshold - 1) × intervalMs + timeoutMs without an answer), so the failover
 * gap is the same for both families. The probe is an IPv6 datagram from the node's IPv6 address to itself inside the
 * zone's tunnel (probe-frame-ipv6.ts); its answer counts only from one of the gateway's IPv6 egress IPs. The node's
 * IPv6 address is the one the kernel picks towards the gateway's IPv6 egress range: without one, no answer can come
 * back and the replica counts as not forwarding IPv6 (the zone's IPv6 fails closed, or open if it says so).
 */
export class Ipv6ReplicaProber {
  private readonly tracked = new Map<string, Tracked6>();
  private readonly listeners = new Map<number, dgram.Socket>();
  private readonly byToken = new Map<number, Tracked6>();

  constructor(private readonly onChange: () => void, private readonly options: ProberOptions = {}) {}

  public setTargets(targets: Ipv6Target[]): void {
    const wanted = new Map(targets.filter((t) => ipv6EgressIps(t.gateway).length > 0).map((t) => [t.key, t]));
    for (const [k, t] of this.tracked) if (!wanted.has(k)) this.untrack(t);
    for (const [k, t] of wanted) if (!this.tracked.has(k)) this.track(t);
    for (const port of [...this.listeners.keys()]) {
      if (![...this.tracked.values()].some((t) => t.gateway.healthPort === port)) {
        this.listeners.get(port)!.close();
        this.listeners.delete(port);
      }
    }
  }

  /** The verdict on one replica: undefined until the first one. */
  public forwards(key: string): boolean | undefined {
    return this.tracked.get(key)?.forwards;
  }

  public settled(): boolean {
    return [...this.tracked.values()].every((t) => t.forwards !== undefined);
  }

  public stop(): void {
    for (const t of [...this.tracked.values()]) this.untrack(t);
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
  }

  private track(target: Ipv6Target): void {
    let token = randomInt(1, 0xffffffff);
    while (this.byToken.has(token)) token = randomInt(1, 0xffffffff);
    const t: Tracked6 = {
      ...target,
      token,
      seq: 0,
      firstSentAt: 0,
      lastAnswerAt: 0,
      unanswered: [],
      sentAt: [],
      signs: this.options.liveness && new ReplyLifeSigns(this.options.liveness, target.ip, 6),
    };
    this.tracked.set(t.key, t);
    this.byToken.set(token, t);
    this.listen(t.gateway.healthPort);
    const s = dgram.createSocket('udp4');
    t.socket = s;
    s.on('error', (e) => log('warn', 'IPv6 probe socket error', { ip: t.ip, error: e.message }));
    s.connect(t.gateway.vxlanPort, t.ip, () => this.tick(t));
  }

  private untrack(t: Tracked6): void {
    stopProbing(t);
    this.tracked.delete(t.key);
    this.byToken.delete(t.token);
  }

  private listen(port: number): void {
    if (this.listeners.has(port)) return;
    const l = dgram.createSocket({ type: 'udp6', ipv6Only: true });
    l.on('error', (e) => log('error', 'IPv6 probe answer port unusable', { port, error: e.message }));
    l.on('message', (msg, from) => {
      const a = parseProbeAnswer(msg);
      const t = a && this.byToken.get(a.token);
      if (!t || !ipv6EgressIps(t.gateway).includes(from.address) || a!.seq > t.seq) return;
      observeAnswered(t, a!.seq, 'ipv6', this.options.observer);
      answerReceived(t);
      this.arm(t);
      this.set(t, true);
    });
    l.bind(port);
    this.listeners.set(port, l);
  }

  private tick(t: Tracked6): void {
    if (this.tracked.get(t.key) !== t) return;
    t.timer = setTimeout(() => this.tick(t), t.gateway.probe.intervalMs);
    if (!t.firstSentAt) {
      t.firstSentAt = Date.now();
      this.arm(t);
    }
    if (!t.nodeIp) {
      void nodeAddressTowards(ipv6EgressIps(t.gateway)[0]).then((ip) => (t.nodeIp = ip));
      return;
    }
    this.send(t, t.nodeIp);
    const { volley, observer } = this.options;
    if (volley) watchForOverdue(t, t.gateway.probe, volley, () => this.send(t, t.nodeIp!), () => observer?.volley(t.gateway.name, 'ipv6'));
  }

  /** One probe, now (on the cadence, or in a volley). */
  private send(t: Tracked6, nodeIp: string): void {
    const seq = ++t.seq;
    probeSent(t);
    observeSent(t, 'ipv6', this.options.observer);
    const frame = buildProbeFrameV6({
      vni: t.vni, innerDstMac: vxlanMacFor(t.ip), nodeIp, port: t.gateway.healthPort, token: t.token, seq,
    });
    t.socket!.send(frame, (e) => {
      if (e) log('warn', 'IPv6 probe not sent', { ip: t.ip, error: e.message });
    });
  }

  private arm(t: Tracked6): void {
    armAnswerDeadline(t, t.gateway.probe, () => this.tracked.get(t.key) === t, (evidence) => this.set(t, false, evidence), t.signs);
  }

  private set(t: Tracked6, forwards: boolean, evidence?: DeadEvidence): void {
    if (t.forwards === forwards) return;
    log('info', 'replica IPv6 forwarding changed', { gateway: t.gateway.name, ip: t.ip, forwards, ...evidence });
    t.forwards = forwards;
    this.onChange();
  }
}

/** The node's IPv6 address the kernel would send from towards `ip` (a connected UDP socket sends nothing). */
function nodeAddressTowards(ip: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp6');
    s.on('error', () => {
      s.close();
      resolve(undefined);
    });
    s.connect(9, ip, () => {
      const a = s.address().address;
      s.close();
      resolve(a);
    });
  });
}
