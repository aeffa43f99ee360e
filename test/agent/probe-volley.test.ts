import { AnswerClock, answerReceived, armAnswerDeadline, DeadEvidence, probeSent, stopProbing } from '../../src/agent/node/answer-deadline';
import { PROBE_VOLLEY, ProbeVolley, volleyTiming, watchForOverdue } from '../../src/agent/node/probe-volley';

const probe = { intervalMs: 25, timeoutMs: 25, failureThreshold: 3 };

/**
 * A prober as replica-prober.ts runs one, on fake time: a probe every intervalMs, each watched for an overdue answer;
 * `answered(n, kind)` says whether the n-th probe of its kind (0-based) gets its answer, 2 ms later.
 */
function prober(volley: ProbeVolley | undefined, answered: (n: number, kind: 'cadence' | 'volley') => boolean) {
  const t: AnswerClock = { firstSentAt: 0, lastAnswerAt: 0, unanswered: [] };
  const r = { t, sent: [] as { at: number; kind: string }[], volleys: 0, dead: undefined as DeadEvidence | undefined, deadAt: 0, alive: true };
  const arm = () => armAnswerDeadline(t, probe, () => r.alive, (e) => {
    r.dead = e;
    r.deadAt = Date.now();
  });
  const send = (kind: 'cadence' | 'volley') => {
    const n = r.sent.filter((x) => x.kind === kind).length;
    if (!r.sent.length) t.firstSentAt = Date.now();
    const first = !r.sent.length;
    r.sent.push({ at: Date.now(), kind });
    probeSent(t);
    if (first) arm();
    if (answered(n, kind)) {
      setTimeout(() => {
        answerReceived(t);
        arm();
      }, 2);
    }
  };
  const tick = () => {
    if (!r.alive) return;
    t.timer = setTimeout(tick, probe.intervalMs);
    send('cadence');
    if (volley) watchForOverdue(t, probe, volley, () => send('volley'), () => r.volleys++);
  };
  tick();
  return {
    ...r,
    r,
    stop: () => {
      r.alive = false;
      stopProbing(t);
    },
  };
}

describe('a volley of probes when an answer is overdue (probe-volley.ts)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test('the timing: overdue at 10 ms, 3 probes 5 ms apart, all timed out before the default 75 ms window ends', () => {
    expect(PROBE_VOLLEY.probes).toBe(3);
    const { suspectMs, spacingMs } = volleyTiming(probe);
    expect([suspectMs, spacingMs]).toEqual([10, 5]);
    // The first probe after an answer leaves at most one interval after it: its volley's last probe leaves by 45 ms.
    const lastVolleyProbe = probe.intervalMs + suspectMs + (PROBE_VOLLEY.probes - 1) * spacingMs;
    const windowMs = (probe.failureThreshold - 1) * probe.intervalMs + probe.timeoutMs;
    expect(lastVolleyProbe + probe.timeoutMs).toBeLessThanOrEqual(windowMs);
  });

  test('a replica answering in time never gets one', () => {
    const p = prober(PROBE_VOLLEY, () => true);
    jest.advanceTimersByTime(1000);
    p.stop();
    expect(p.r.volleys).toBe(0);
    expect(p.r.sent.every((s) => s.kind === 'cadence')).toBe(true);
    expect(p.r.sent.length).toBe(41);
  });

  test('an overdue answer sends 3 probes 5 ms apart, and one volley per silence', () => {
    const p = prober(PROBE_VOLLEY, (n, kind) => kind === 'cadence' && n === 0); // answers the first probe only: then silence
    jest.advanceTimersByTime(200);
    p.stop();
    const volley = p.r.sent.filter((s) => s.kind === 'volley').map((s) => s.at - 1_000_000);
    // The probe at 25 ms was overdue at 35 ms.
    expect(volley).toEqual([35, 40, 45]);
    expect(p.r.volleys).toBe(1);
  });

  test('each new silence after an answer gets its own volley', () => {
    // Answered: the first probe, and the first silence's first volley probe; nothing else.
    const p = prober(PROBE_VOLLEY, (n, kind) => n === 0 || (kind === 'volley' && n === 0));
    jest.advanceTimersByTime(200);
    p.stop();
    expect(p.r.volleys).toBe(2);
    // The first volley stopped at its answer: 1 probe; the second ran all 3.
    expect(p.r.sent.filter((s) => s.kind === 'volley').length).toBe(4);
  });

  test('a replica that never answered gets none (its verdict comes from the silence alone)', () => {
    const p = prober(PROBE_VOLLEY, () => false);
    jest.advanceTimersByTime(200);
    p.stop();
    expect(p.r.volleys).toBe(0);
  });

  test('stopping the probes cancels a volley under way', () => {
    const p = prober(PROBE_VOLLEY, (n, kind) => kind === 'cadence' && n === 0);
    jest.advanceTimersByTime(36); // overdue at 35: the volley's first probe left
    p.stop();
    jest.advanceTimersByTime(100);
    expect(p.r.sent.filter((s) => s.kind === 'volley').length).toBe(1);
  });

  describe('with the answer deadline (the lab bench\'s false failover: cadence probes lost in a row, silent over 75 ms)', () => {
    // Every probe answered except the three cadence probes after the one at 100 ms (those at 125, 150 and 175 ms).
    const lost = (n: number, kind: string) => kind !== 'cadence' || n < 5 || n > 7;

    test('without a volley, the replica is declared dead 75 ms after its last answer', () => {
      const p = prober(undefined, lost);
      jest.advanceTimersByTime(400);
      p.stop();
      expect(p.r.dead).toBeDefined();
      expect(p.r.dead!.probesMissed).toBe(2);
      // The last answer came at 102 ms; the verdict runs just after the window ends (its check is an immediate).
      expect(p.r.deadAt - p.r.sent[0].at).toBeGreaterThanOrEqual(102 + 75);
      expect(p.r.deadAt - p.r.sent[0].at).toBeLessThanOrEqual(102 + 75 + 2);
    });

    test('with it, an answered volley probe after each lost one keeps the replica alive', () => {
      const p = prober(PROBE_VOLLEY, lost);
      jest.advanceTimersByTime(400);
      p.stop();
      expect(p.r.volleys).toBe(3);
      expect(p.r.dead).toBeUndefined();
    });

    test('a replica that really died gets its verdict when it would without the volley', () => {
      const diedAfter = (n: number, kind: string) => kind === 'cadence' && n < 5; // nothing answered after the probe at 100 ms
      const without = prober(undefined, diedAfter);
      jest.advanceTimersByTime(400);
      without.stop();
      const withIt = prober(PROBE_VOLLEY, diedAfter);
      jest.advanceTimersByTime(400);
      withIt.stop();
      expect(without.r.dead).toBeDefined();
      expect(withIt.r.dead).toBeDefined();
      const fromStart = (p: typeof without) => p.r.deadAt - p.r.sent[0].at;
      expect(fromStart(withIt)).toBe(fromStart(without));
      // The volley's probes that left and timed out add to the evidence: 2 cadence probes and 3 of the volley.
      expect(withIt.r.dead!.probesMissed).toBe(5);
    });
  });
});
