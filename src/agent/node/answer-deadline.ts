import type * as dgram from 'node:dgram';
import { GatewayProbeConfig } from '../../datapath';

/** What the deadline reads and writes of a probed replica (both families' probers keep these fields). */
export interface AnswerClock {
  firstSentAt: number;
  lastAnswerAt: number;
  deadline?: NodeJS.Timeout;
  /** The next probe's timer and the socket the probes leave by. */
  timer?: NodeJS.Timeout;
  socket?: dgram.Socket;
}

/** Stops probing a replica: its timers and its socket. */
export function stopProbing(t: AnswerClock): void {
  clearTimeout(t.timer);
  clearTimeout(t.deadline);
  try {
    t.socket?.close();
  } catch { /* already closed */ }
}

/**
 * (Re)starts the wait for the next probe answer: none within (failureThreshold - 1) × intervalMs + timeoutMs of the
 * last answer (or of the first probe) means the replica stopped forwarding, and `onDead` runs. `current` says whether
 * the replica is still probed. Timers run before the poll phase, so answers already received are read first: a busy
 * event loop delays the verdict rather than faking it. Shared by the IPv4 and IPv6 probers: one failover gap.
 */
export function armAnswerDeadline(t: AnswerClock, probe: GatewayProbeConfig, current: () => boolean, onDead: () => void): void {
  const allowedMs = (probe.failureThreshold - 1) * probe.intervalMs + probe.timeoutMs;
  clearTimeout(t.deadline);
  const check = () => {
    if (!current()) return;
    const since = Date.now() - (t.lastAnswerAt || t.firstSentAt);
    if (since < allowedMs) {
      t.deadline = setTimeout(check, allowedMs - since);
      return;
    }
    setImmediate(() => {
      if (current() && Date.now() - (t.lastAnswerAt || t.firstSentAt) >= allowedMs) onDead();
      else check();
    });
  };
  t.deadline = setTimeout(check, allowedMs);
}
