import type * as dgram from 'node:dgram';
import { GatewayProbeConfig } from '../../datapath';

/** What the deadline reads and writes of a probed replica (both families' probers keep these fields). */
export interface AnswerClock {
  firstSentAt: number;
  lastAnswerAt: number;
  /** When each probe sent since the last answer left (oldest first): only probes that left can be missed. */
  unanswered: number[];
  deadline?: NodeJS.Timeout;
  /** The next probe's timer and the socket the probes leave by. */
  timer?: NodeJS.Timeout;
  socket?: dgram.Socket;
  /** The latest instant the replica's own replies proved it forwards (reply-liveness.ts), 0/undefined: none. */
  lifeAt?: number;
  /** The reading of the replies before the deadline; the generation of the armed deadline. */
  readings?: NodeJS.Timeout[];
  armed?: number;
  /** The pending timers of an overdue answer's volley (probe-volley.ts), and the answer it followed (one volley each). */
  volleyTimers?: Set<NodeJS.Timeout>;
  volleyAfter?: number;
}

/**
 * What a dead verdict rested on, logged with it (a false failover must be traceable to its cause): how long the replica
 * had been silent, how many probes that left went unanswered, and how long before the verdict its last reply came
 * (undefined: replies were not consulted, or none was remembered).
 */
export interface DeadEvidence { readonly silentMs: number; readonly probesMissed: number; readonly lastReplyAgoMs?: number }

/** Signs of life besides the answers: resolves the instant of the replica's last reply, 0: none known. */
export interface LifeSigns { sample(): Promise<number> }

/** When the replica last showed it forwards: its last answer, or a later proof from its replies (only once it answered). */
export function lastSignOfLife(t: AnswerClock): number {
  if (!t.lastAnswerAt) return t.firstSentAt;
  return Math.max(t.lastAnswerAt, t.lifeAt ?? 0);
}

/** Records a probe that left now. */
export function probeSent(t: AnswerClock, now = Date.now()): void {
  if (!t.firstSentAt) t.firstSentAt = now;
  t.unanswered.push(now);
  // Only the newest failureThreshold ever count; a long silence must not grow the list without end.
  if (t.unanswered.length > 64) t.unanswered.shift();
}

/** Records an answer: every probe before it counts as answered (the data path forwarded just now). */
export function answerReceived(t: AnswerClock, now = Date.now()): void {
  t.lastAnswerAt = now;
  t.unanswered.length = 0;
}

/** Stops probing a replica: its timers and its socket. */
export function stopProbing(t: AnswerClock): void {
  clearTimeout(t.timer);
  clearTimeout(t.deadline);
  for (const r of t.readings ?? []) clearTimeout(r);
  for (const v of t.volleyTimers ?? []) clearTimeout(v);
  try {
    t.socket?.close();
  } catch { /* already closed */ }
}

/**
 * Whether a replica that answered before has now stopped forwarding: no answer for (failureThreshold - 1) ×
 * intervalMs + timeoutMs, and within that silence at least failureThreshold - 1 probes that left and waited timeoutMs
 * each (the last of the failureThreshold is the one just sent). The second condition is why a stall of the agent's
 * own process (a loaded node, a long garbage collection: no probes sent, no answers read) is never taken for the
 * replica's death: only probes that left can be missed. A replica that never answered gets its first verdict from
 * the silence alone (its probes may not leave at all: no route to the replica yet).
 */
export function stoppedForwarding(t: AnswerClock, probe: GatewayProbeConfig, now = Date.now()): boolean {
  const allowedMs = (probe.failureThreshold - 1) * probe.intervalMs + probe.timeoutMs;
  if (now - lastSignOfLife(t) < allowedMs) return false;
  if (!t.lastAnswerAt) return true;
  const missed = t.unanswered.filter((sentAt) => now - sentAt >= probe.timeoutMs).length;
  return missed >= Math.max(1, probe.failureThreshold - 1);
}

/**
 * (Re)starts the wait for the next probe answer; once `stoppedForwarding` holds, `onDead` runs. `current` says
 * whether the replica is still probed. Timers run before the poll phase, so answers already received are read
 * first: a busy event loop delays the verdict rather than faking it. Shared by the IPv4 and IPv6 probers: one
 * failover gap. With `signs`, a silence that reaches the deadline is first checked against the replica's replies (one
 * reading, started just before the deadline): a reply more than one interval after the last answer proves the replica
 * forwards (answers queued behind bulk traffic are late, not missing), and the wait restarts from that reply.
 */
export function armAnswerDeadline(t: AnswerClock, probe: GatewayProbeConfig, current: () => boolean, onDead: (evidence: DeadEvidence) => void,
  signs?: LifeSigns): void {
  const allowedMs = (probe.failureThreshold - 1) * probe.intervalMs + probe.timeoutMs;
  const armed = (t.armed ?? 0) + 1;
  t.armed = armed;
  const live = () => current() && t.armed === armed;
  clearTimeout(t.deadline);
  let reading: Promise<number> | undefined;
  const scheduleReading = (untilDeadlineMs: number) => {
    for (const r of t.readings ?? []) clearTimeout(r);
    reading = undefined;
    if (!signs || !t.lastAnswerAt) return;
    // Started a little before the deadline, so a real death waits for no `nft` run.
    t.readings = [setTimeout(() => (reading = signs.sample()), Math.max(0, untilDeadlineMs - Math.min(10, probe.intervalMs / 2)))];
  };
  const check = () => {
    if (!live()) return;
    const since = Date.now() - lastSignOfLife(t);
    if (since < allowedMs) {
      scheduleReading(allowedMs - since);
      t.deadline = setTimeout(check, allowedMs - since);
      return;
    }
    setImmediate(() => {
      if (!live()) return;
      if (!stoppedForwarding(t, probe)) {
        // Silent long enough, but too few probes left to be missed yet (the agent was stalled): look again once
        // the next one has had its timeout.
        if (Date.now() - lastSignOfLife(t) >= allowedMs) t.deadline = setTimeout(check, untilNextMissMs(t, probe));
        else check();
        return;
      }
      if (!signs || !t.lastAnswerAt) return onDead(evidenceOf(t, probe));
      void (reading ?? signs.sample()).then((at) => {
        if (!live()) return;
        // A reply within one interval of the last sign of life says nothing the probes' own cadence did not (a replica
        // that died just after its last answer sent replies until then): only a later one moves the wait. So a real
        // death's verdict stays where the probes alone put it.
        if (at - lastSignOfLife(t) > probe.intervalMs) t.lifeAt = at;
        if (stoppedForwarding(t, probe)) onDead(evidenceOf(t, probe, at));
        else check();
      });
    });
  };
  scheduleReading(allowedMs);
  t.deadline = setTimeout(check, allowedMs);
}

function evidenceOf(t: AnswerClock, probe: GatewayProbeConfig, lastReplyAt = 0): DeadEvidence {
  const now = Date.now();
  return {
    silentMs: now - lastSignOfLife(t),
    probesMissed: t.unanswered.filter((sentAt) => now - sentAt >= probe.timeoutMs).length,
    ...(lastReplyAt ? { lastReplyAgoMs: now - lastReplyAt } : {}),
  };
}

/** How long until one more probe can count as missed: the next one still within its timeout, or the next to leave. */
function untilNextMissMs(t: AnswerClock, probe: GatewayProbeConfig): number {
  const now = Date.now();
  const waiting = t.unanswered.find((sentAt) => now - sentAt < probe.timeoutMs);
  return Math.max(1, waiting === undefined ? probe.intervalMs : waiting + probe.timeoutMs - now);
}
