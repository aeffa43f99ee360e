import * as http from 'node:http';
import { ReplicaHealth, ReplicaView } from './replica-health';
import { GatewayConfig } from '../../datapath';
import { log } from '../shared/log';
import { GatewayEndpoint } from '../shared/observed-state';

type ProbeResult = 'ready' | 'draining' | 'failed';

interface Tracked {
  readonly endpoint: GatewayEndpoint;
  readonly gateway: GatewayConfig;
  timer?: NodeJS.Timeout;
  inFlight: boolean;
  failures: number;
  /** undefined until the first verdict (an answer, or failureThreshold misses). */
  health?: ReplicaHealth;
}

/**
 * Probes every candidate gateway replica's /readyz directly from the node, every probe.intervalMs
 * (100 ms by default): Kubernetes readiness takes seconds to reach a node, this takes
 * failureThreshold × interval. 200 means ready, 503 "draining" means terminating-but-alive, and
 * failureThreshold consecutive misses (timeout, refused, any other answer) mean dead.
 */
export class ReplicaProber {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly onChange: () => void) {}

  /** Starts/stops probing so that exactly these endpoints are probed. */
  public setTargets(endpoints: GatewayEndpoint[], gateways: GatewayConfig[]): void {
    const wanted = new Map<string, { e: GatewayEndpoint; g: GatewayConfig }>();
    for (const e of endpoints) {
      const g = gateways.find((x) => x.name === e.gateway);
      if (g && (e.ready || e.terminating)) wanted.set(`${e.gateway}|${e.ip}|${g.healthPort}`, { e, g });
    }
    for (const [k, t] of this.tracked) {
      if (!wanted.has(k)) {
        clearTimeout(t.timer);
        this.tracked.delete(k);
      }
    }
    for (const [k, { e, g }] of wanted) {
      const t = this.tracked.get(k);
      if (t) {
        (t as { endpoint: GatewayEndpoint }).endpoint = e;
        (t as { gateway: GatewayConfig }).gateway = g;
      } else {
        const n: Tracked = { endpoint: e, gateway: g, inFlight: false, failures: 0 };
        this.tracked.set(k, n);
        this.probe(n);
      }
    }
    this.onChange();
  }

  /** True once every target has a verdict: the first sync waits for it. */
  public settled(): boolean {
    return [...this.tracked.values()].every((t) => t.health !== undefined);
  }

  /** Probe verdicts merged with the endpoint conditions (terminating → at most draining). */
  public view(): ReplicaView[] {
    return [...this.tracked.values()].map((t) => {
      let health: ReplicaHealth = t.health ?? 'dead';
      if (health === 'ready' && (t.endpoint.terminating || !t.endpoint.ready)) health = 'draining';
      return { gateway: t.endpoint.gateway, ip: t.endpoint.ip, health };
    });
  }

  public stop(): void {
    for (const t of this.tracked.values()) clearTimeout(t.timer);
    this.tracked.clear();
  }

  /**
   * One probe now and the next one interval later, on a fixed cadence (not interval after the answer):
   * a dead replica then costs failureThreshold × interval (+ one timeout), not × (interval + timeout).
   */
  private probe(t: Tracked): void {
    if (this.tracked.get(this.keyOf(t)) !== t) return;
    t.timer = setTimeout(() => this.probe(t), t.gateway.probe.intervalMs);
    if (t.inFlight) return;
    t.inFlight = true;
    void probeOnce(t.endpoint.ip, t.gateway.healthPort, t.gateway.probe.timeoutMs).then((r) => {
      t.inFlight = false;
      const before = t.health;
      if (r === 'failed') {
        t.failures++;
        if (t.failures >= t.gateway.probe.failureThreshold) t.health = 'dead';
      } else {
        t.failures = 0;
        t.health = r;
      }
      if (t.health !== before && this.tracked.get(this.keyOf(t)) === t) {
        log('info', 'replica health changed', { gateway: t.endpoint.gateway, ip: t.endpoint.ip, from: before ?? 'unknown', to: t.health });
        this.onChange();
      }
    });
  }

  private keyOf(t: Tracked): string {
    return `${t.endpoint.gateway}|${t.endpoint.ip}|${t.gateway.healthPort}`;
  }
}

function probeOnce(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: ProbeResult) => {
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
        else finish('failed');
      });
    });
    const timer = setTimeout(() => {
      finish('failed');
      req.destroy();
    }, timeoutMs);
    req.on('error', () => finish('failed'));
  });
}
