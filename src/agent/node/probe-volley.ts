import { AnswerClock } from './answer-deadline';
import { GatewayProbeConfig } from '../../datapath';

/**
 * A volley: extra probes sent once an answer is overdue, spread over the time the silence window leaves before the
 * verdict. Why: in the real-cluster lab, while other traffic saturated the node (issue 22's bench), 10.7 % of the
 * probes to an idle replica were lost, not late (answers over 25 ms: 0.3 %), and two lost in a row made a false "dead"
 * verdict. An idle replica sends no replies either, so reply-liveness.ts cannot help it. More chances to be answered
 * within the same window make a false verdict need every one of them lost, while a replica that really died still gets
 * its verdict when the silence window ends: the volley adds no wait. The probes are cheap (one small datagram each),
 * and a healthy replica answering on time never triggers one.
 */
export interface ProbeVolley {
  /** Extra probes per silence (one volley until the next answer). */
  readonly probes: number;
}

/** The agents' volley: 3 probes, so a false verdict needs 5 lost in a row with the default 25/25/3. */
export const PROBE_VOLLEY: ProbeVolley = { probes: 3 };

/** What the volley keeps on a probed replica (both families' probers carry these fields through AnswerClock). */
export interface VolleyTiming {
  /** After how long without an answer a probe is overdue: well past a healthy round trip, before its timeout. */
  readonly suspectMs: number;
  /** Between the volley's probes: spread, so one burst of loss does not take them all. */
  readonly spacingMs: number;
}

/**
 * Overdue after 40 % of the timeout (10 ms by default: answers over 10 ms were 2.4 % under saturation), spaced by a
 * fifth of the interval (5 ms). With the default 25/25/3 a volley started by the first probe after an answer leaves by
 * 45 ms after it, so every volley probe has had its full timeout when the 75 ms window ends.
 */
export function volleyTiming(probe: GatewayProbeConfig): VolleyTiming {
  return { suspectMs: Math.max(1, Math.round(probe.timeoutMs * 0.4)), spacingMs: Math.max(1, Math.round(probe.intervalMs / 5)) };
}

/**
 * Called right after a regular probe left at `sentAt`: if no answer came suspectMs later, and no volley was sent
 * since the last answer, `send` runs `volley.probes` times, spacingMs apart. Only for a replica that answered before:
 * a replica never heard from gets its verdict from the silence alone.
 */
export function watchForOverdue(t: AnswerClock, probe: GatewayProbeConfig, volley: ProbeVolley, send: () => void, onVolley: () => void,
  sentAt = Date.now()): void {
  if (!t.lastAnswerAt || t.volleyAfter === t.lastAnswerAt) return;
  const { suspectMs, spacingMs } = volleyTiming(probe);
  const timers = (t.volleyTimers ??= new Set());
  const later = (ms: number, f: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      f();
    }, Math.max(0, ms));
    timers.add(timer);
  };
  later(sentAt + suspectMs - Date.now(), () => {
    // Answered meanwhile, or a volley already went out in this silence.
    if (t.lastAnswerAt >= sentAt || t.volleyAfter === t.lastAnswerAt) return;
    t.volleyAfter = t.lastAnswerAt;
    onVolley();
    send();
    // The rest stop as soon as an answer comes: the silence is over.
    for (let i = 1; i < volley.probes; i++) later(i * spacingMs, () => t.lastAnswerAt >= sentAt || send());
  });
}
