import type { ProbeVolley } from './probe-volley';
import type { ReplyLiveness } from './reply-liveness';

/** The node agent's probe metrics: probes sent, and each answer's round trip (how close they run to the silence window). */
export interface ProbeObserver {
  sent(gateway: string): void;
  answered(gateway: string, rttMs: number): void;
  /** An answer was overdue and a volley went out (probe-volley.ts). */
  volley(gateway: string): void;
}

/** What the probers use besides the probes (each optional: without them, unit tests see the probes alone). */
export interface ProberOptions {
  /** The replicas' replies count as proof of life (reply-liveness.ts). */
  readonly liveness?: ReplyLiveness;
  readonly observer?: ProbeObserver;
  /** Extra probes when an answer is overdue (probe-volley.ts). */
  readonly volley?: ProbeVolley;
}
