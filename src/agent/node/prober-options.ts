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

/** How many probes' send times a prober keeps (by seq % SENT_MEMORY) to time their answers: 1.6 s at 25 ms. */
export const SENT_MEMORY = 64;

/** What the probers use besides the probes (each optional: without them, unit tests see the probes alone). */
export interface ProberOptions {
  /** The replicas' replies count as proof of life (reply-liveness.ts). */
  readonly liveness?: ReplyLiveness;
  readonly observer?: ProbeObserver;
  /** Extra probes when an answer is overdue (probe-volley.ts). */
  readonly volley?: ProbeVolley;
}
