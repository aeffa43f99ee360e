import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as http from 'node:http';
import { answerReceived, armAnswerDeadline, DeadEvidence, LifeSigns, probeSent, stopProbing } from './answer-deadline';
import { watchForOverdue } from './probe-volley';
import { observeAnswered, observeSent, ProberOptions } from './prober-options';
import { ReplicaHealth, ReplicaView } from './replica-health';
import { Ipv6ReplicaProber } from './replica-prober-ipv6';
import { ReplyLifeSigns } from './reply-liveness';
import { GatewayConfig } from '../../datapath';
import { log } from '../shared/log';
import { GatewayEndpoint } from '../shared/observed-state';
import { buildProbeFrame, parseProbeAnswer } from '../shared/probe-frame';
import { ipv6EgressIps } from '../shared/tunnel-ipv6';
import { vxlanMacFor } from '../shared/vxlan-mac';

/** What the replica's agent said on /readyz (`unreachable`: no answer, which changes nothing). */
type AgentAnswer = 'ready' | 'draining' | 'not-ready' | 'unreachable';

/** The agent's /readyz is asked at most this often: it only carries "draining" news (HTTP costs ~10 packets). */
const AGENT_PROBE_MS = 500;

interface Tracked {
  readonly key: string;
  endpoint: GatewayEndpoint;
  gateway: GatewayConfig;
  /** VNI of the tunnel the probes ride (the gateway's lowest zone id). */
  vni: number;
  readonly token: number;
  timer?: NodeJS.Timeout;
  socket?: dgram.Socket;
  nodeIp?: string;
  seq: number;
  /** When the first probe left, and when the last answer came (0: none yet); the probes since that answer. */
  firstSentAt: number;
  lastAnswerAt: number;
  unanswered: number[];
  deadline?: NodeJS.Timeout;
  /** undefined until the first verdict: an answer, or failureThreshold misses. */
  forwards?: boolean;
  agent?: AgentAnswer;
  agentInFlight: boolean;
  lastAgentAt: number;
  /** Its replies through the tunnel, read when an answer is overdue (reply-liveness.ts). */
  signs?: LifeSigns;
  /** When the last probes left, by seq (prober-options.ts): an answer's round trip. */
  readonly sentAt: number[];
}

/**
 * Decides whether each gateway replica *forwards*, from the node, every probe.intervalMs: a
 * data-path probe (probe-frame.ts) rides the VXLAN tunnel into the replica, crosses its gateway
 * table and SNAT, and comes back from an egress IP. Dead means no answer for
 * (failureThreshold - 1) × intervalMs + timeoutMs, counted from the last answer (not from probe
 * to probe, which would add up to one interval of phase), and only once failureThreshold - 1 probes
 * that actually left went unanswered (answer-deadline.ts): answers already in the socket are read
 * before that verdict, and a stalled event loop sends no probes, so a busy node delays the verdict
 * rather than faking it. The replica's agent process is not on that path: an agent that crashed or
 * restarts with its data path intact keeps its flows (issue 16, behaviour 10).
 * The agent's /readyz, asked every AGENT_PROBE_EVERY intervals, and the EndpointSlice conditions
 * only decide between ready (takes new flows) and draining (keeps its pinned flows, takes no new
 * ones): "draining" from the agent or a terminating endpoint drain it; so does an endpoint that is
 * not ready unless the agent itself answers ready (the kubelet's view lags by seconds).
 */
export class ReplicaProber {
  private readonly tracked = new Map<string, Tracked>();
  /** One listening socket per answer port (the gateways' healthPort, UDP). */
  private readonly listeners = new Map<number, dgram.Socket>();
  private readonly byToken = new Map<number, Tracked>();

  /** IPv6 verdicts, for gateways with IPv6 egress IPs (replica-prober-ipv6.ts). */
  private readonly v6: Ipv6ReplicaProber;

  constructor(private readonly onChange: () => void, private readonly zoneVni: (gateway: string) => number | undefined,
    private readonly options: ProberOptions = {}) {
    this.v6 = new Ipv6ReplicaProber(onChange, options);
  }

  /** Starts/stops probing so that exactly these endpoints are probed. */
  public setTargets(endpoints: GatewayEndpoint[], gateways: GatewayConfig[]): void {
    const wanted = new Map<string, { e: GatewayEndpoint; g: GatewayConfig; vni: number }>();
    for (const e of endpoints) {
      const g = gateways.find((x) => x.name === e.gateway);
      const vni = this.zoneVni(e.gateway);
      // Every endpoint the slice lists (ready or not): a replica whose agent is down is listed not ready.
      if (g && vni !== undefined) wanted.set(`${e.gateway}|${e.ip}|${g.vxlanPort}|${vni}|${g.healthPort}`, { e, g, vni });
    }
    for (const [k, t] of this.tracked) if (!wanted.has(k)) this.untrack(t);
    for (const [k, { e, g, vni }] of wanted) {
      const t = this.tracked.get(k);
      if (t) {
        // A terminating endpoint (the EndpointSlice's news) drains the replica: said here, where it changes (found
        // in the real-cluster lab: the drain took effect but was never reported, as the agent's own "draining"
        // answer then changed nothing).
        const before = t.forwards === undefined ? undefined : healthOf(t);
        t.endpoint = e;
        t.gateway = g;
        t.vni = vni;
        if (before !== undefined) this.reportIfChanged(t, before);
      } else {
        this.track(k, e, g, vni);
      }
    }
    this.options.liveness?.setTargets([...wanted.values()].map(({ e, g }) => ({ ip: e.ip, port: g.vxlanPort })));
    this.v6.setTargets([...wanted].map(([key, { e, g, vni }]) => ({ key, ip: e.ip, gateway: g, vni })));
    for (const port of [...this.listeners.keys()]) {
      if (![...this.tracked.values()].some((t) => t.gateway.healthPort === port)) {
        this.listeners.get(port)!.close();
        this.listeners.delete(port);
      }
    }
    this.onChange();
  }

  /** True once every target has a verdict: the first sync waits for it. */
  public settled(): boolean {
    return [...this.tracked.values()].every((t) => t.forwards !== undefined) && this.v6.settled();
  }

  public view(): ReplicaView[] {
    return [...this.tracked.values()].map((t) => {
      const v6 = ipv6EgressIps(t.gateway).length > 0 ? { healthV6: healthOf(t, this.v6.forwards(t.key)) } : {};
      return { gateway: t.endpoint.gateway, ip: t.endpoint.ip, health: healthOf(t), ...v6 };
    });
  }

  public stop(): void {
    this.v6.stop();
    for (const t of [...this.tracked.values()]) this.untrack(t);
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
  }

  private track(key: string, endpoint: GatewayEndpoint, gateway: GatewayConfig, vni: number): void {
    let token = randomInt(1, 0xffffffff);
    while (this.byToken.has(token)) token = randomInt(1, 0xffffffff);
    const t: Tracked = {
      key, endpoint, gateway, vni, token, seq: 0, firstSentAt: 0, lastAnswerAt: 0, unanswered: [], agentInFlight: false, lastAgentAt: 0, sentAt: [],
    };
    if (this.options.liveness) t.signs = new ReplyLifeSigns(this.options.liveness, endpoint.ip, 4);
    this.tracked.set(key, t);
    this.byToken.set(token, t);
    this.listen(gateway.healthPort);
    // A connected socket per replica: the kernel picks the node address the replica routes back to.
    const s = dgram.createSocket('udp4');
    t.socket = s;
    s.on('error', (e) => log('warn', 'probe socket error', { ip: endpoint.ip, error: e.message }));
    s.connect(gateway.vxlanPort, endpoint.ip, () => {
      t.nodeIp = s.address().address;
      this.tick(t);
    });
  }

  private untrack(t: Tracked): void {
    stopProbing(t);
    this.tracked.delete(t.key);
    this.byToken.delete(t.token);
  }

  private listen(port: number): void {
    if (this.listeners.has(port)) return;
    const l = dgram.createSocket('udp4');
    l.on('error', (e) => log('error', 'probe answer port unusable', { port, error: e.message }));
    l.on('message', (msg, from) => {
      const a = parseProbeAnswer(msg);
      const t = a && this.byToken.get(a.token);
      // An answer counts only from one of the gateway's egress IPs: it was forwarded and SNATed.
      if (!t || !t.gateway.egressIps.includes(from.address)) return;
      if (a!.seq > t.seq) return;
      observeAnswered(t, a!.seq, 'ipv4', this.options.observer);
      answerReceived(t);
      this.armDeadline(t);
      this.setForwards(t, true);
    });
    l.bind(port);
    this.listeners.set(port, l);
  }

  /**
   * One probe now, the next one interval later on a fixed cadence (not interval after the answer),
   * so a dead replica costs failureThreshold × interval + one timeout at most.
   */
  private tick(t: Tracked): void {
    if (this.tracked.get(t.key) !== t) return;
    t.timer = setTimeout(() => this.tick(t), t.gateway.probe.intervalMs);
    const first = !t.firstSentAt;
    this.send(t);
    if (first) this.armDeadline(t);
    const { volley, observer } = this.options;
    if (volley) watchForOverdue(t, t.gateway.probe, volley, () => this.send(t), () => observer?.volley(t.gateway.name, 'ipv4'));
    if (Date.now() - t.lastAgentAt >= Math.max(AGENT_PROBE_MS, t.gateway.probe.intervalMs) && !t.agentInFlight) {
      t.agentInFlight = true;
      t.lastAgentAt = Date.now();
      void askAgent(t.endpoint.ip, t.gateway.healthPort, Math.max(t.gateway.probe.timeoutMs, 250)).then((a) => {
        t.agentInFlight = false;
        if (this.tracked.get(t.key) !== t) return;
        // No answer is no news: an agent that is down (crashed, restarting, exited after its drain)
        // leaves the last thing it said standing; only the data path decides life and death.
        if (a === 'unreachable') return;
        const before = healthOf(t);
        t.agent = a;
        this.reportIfChanged(t, before);
      });
    }
  }

  /** One probe, now (on the cadence, or in a volley). */
  private send(t: Tracked): void {
    const seq = ++t.seq;
    const frame = buildProbeFrame({
      vni: t.vni, innerDstMac: vxlanMacFor(t.endpoint.ip), nodeIp: t.nodeIp!, port: t.gateway.healthPort, token: t.token, seq,
    });
    probeSent(t);
    observeSent(t, 'ipv4', this.options.observer);
    t.socket!.send(frame, (e) => {
      if (e) log('warn', 'probe not sent', { ip: t.endpoint.ip, error: e.message });
    });
  }

  /** (Re)starts the wait for the next answer: none by the deadline means the replica stopped forwarding. */
  private armDeadline(t: Tracked): void {
    armAnswerDeadline(t, t.gateway.probe, () => this.tracked.get(t.key) === t, (evidence) => this.setForwards(t, false, evidence), t.signs);
  }

  private setForwards(t: Tracked, forwards: boolean, evidence?: DeadEvidence): void {
    if (t.forwards === forwards) return;
    const before = t.forwards === undefined ? undefined : healthOf(t);
    t.forwards = forwards;
    this.reportIfChanged(t, before, evidence);
  }

  private reportIfChanged(t: Tracked, before: ReplicaHealth | undefined, evidence?: DeadEvidence): void {
    if (t.forwards === undefined) return;
    const now = healthOf(t);
    if (now === before) return;
    log('info', 'replica health changed', {
      gateway: t.endpoint.gateway, ip: t.endpoint.ip, from: before ?? 'unknown', to: now, forwards: t.forwards, agent: t.agent ?? 'unknown', ...evidence,
    });
    this.onChange();
  }
}

/** A replica's health for one family: that family's data-path verdict, then the agent's and the endpoint's drain news. */
function healthOf(t: Tracked, forwards = t.forwards): ReplicaHealth {
  if (!forwards) return 'dead';
  if (t.agent === 'draining' || t.endpoint.terminating) return 'draining';
  if (t.endpoint.ready || t.agent === 'ready') return 'ready';
  return 'draining';
}

function askAgent(host: string, port: number, timeoutMs: number): Promise<AgentAnswer> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: AgentAnswer) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(r);
      }
    };
    const req = http.get({ host, port, path: '/readyz', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        if (res.statusCode === 200) finish('ready');
        else if (res.statusCode === 503 && body.includes('draining')) finish('draining');
        else finish('not-ready');
      });
    });
    const timer = setTimeout(() => {
      finish('unreachable');
      req.destroy();
    }, timeoutMs);
    req.on('error', () => finish('unreachable'));
  });
}
