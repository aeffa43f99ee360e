import type { ProbeVolley } from './probe-volley';
import type { ReplyLiveness } from './reply-liveness';

/** Which prober: each family's probes have their own cadence, answers and verdict. */
export type ProbeFamily = 'ipv4' | 'ipv6';

/**
 * The node agent's probe metrics, per family: probes sent, each answer's round trip (how close they run to the silence
 * window), and volleys. Both families report, so answered / sent is a loss rate in each.
 */
export interface ProbeObserver {
  sent(gateway: string, family: ProbeFamily): void;
  answered(gateway: string, rttMs: number, family: ProbeFamily): void;
  /** An answer was overdue and a volley went out (probe-volley.ts). */
  volley(gateway: string, family: ProbeFamily): void;
}

/**
 * How many probes' send times a prober keeps (by seq % SENT_MEMORY) to time their answers: 1.6 s at 25 ms. An answer
 * to an older probe is counted late, not timed.
 */
const SENT_MEMORY = 64;

/** What both probers keep of a probed replica to time its answers. */
export interface SentTimes {
  /** The newest probe's sequence number. */
  readonly seq: number;
  readonly sentAt: number[];
  readonly gateway: { readonly name: string };
}

/** Records that the probe numbered `t.seq` left now, and counts it. */
export function observeSent(t: SentTimes, family: ProbeFamily, observer?: ProbeObserver, now = Date.now()): void {
  t.sentAt[t.seq % SENT_MEMORY] = now;
  observer?.sent(t.gateway.name, family);
}

/** Reports the round trip of the answer to probe `seq`. */
export function observeAnswered(t: SentTimes, seq: number, family: ProbeFamily, observer?: ProbeObserver, now = Date.now()): void {
  if (t.seq - seq < SENT_MEMORY) observer?.answered(t.gateway.name, now - t.sentAt[seq % SENT_MEMORY], family);
}

/** What the probers use besides the probes (each optional: without them, unit tests see the probes alone). */
export interface ProberOptions {
  /** The replicas' replies count as proof of life (reply-liveness.ts). */
  readonly liveness?: ReplyLiveness;
  readonly observer?: ProbeObserver;
  /** Extra probes when an answer is overdue (probe-volley.ts). */
  readonly volley?: ProbeVolley;
}
