import { AnswerClock, answerReceived, armAnswerDeadline, DeadEvidence, probeSent, stoppedForwarding } from '../../src/agent/node/answer-deadline';
import { DATA_PATH_DEFAULTS } from '../../src/datapath';

const probe = { intervalMs: 25, timeoutMs: 25, failureThreshold: 3 };
const clock = (): AnswerClock => ({ firstSentAt: 0, lastAnswerAt: 0, unanswered: [] });

describe('a replica stopped forwarding: only probes that left can be missed', () => {
  test('the library default is 25/25/3 (dead after 75 ms; replies count as proof of life: reply-liveness.test.ts)', () => {
    expect(DATA_PATH_DEFAULTS.probe).toEqual({ intervalMs: 25, timeoutMs: 25, failureThreshold: 3 });
  });

  test('a replica that answered, then misses the probes sent on cadence, is dead once the silence is long enough', () => {
    const t = clock();
    probeSent(t, 1000);
    answerReceived(t, 1001);
    for (const at of [1025, 1050, 1075]) probeSent(t, at);
    expect(stoppedForwarding(t, probe, 1075)).toBe(false); // 74 ms of silence
    expect(stoppedForwarding(t, probe, 1076)).toBe(true); // 75 ms; the probes of 1025 and 1050 timed out, 1075 just left
  });

  test('an agent stalled for a second (no probe left, no answer read) does not declare its replica dead', () => {
    const t = clock();
    probeSent(t, 1000);
    answerReceived(t, 1001);
    // The event loop stood still from 1002 to 2000: the first probe after it leaves now.
    probeSent(t, 2000);
    expect(stoppedForwarding(t, probe, 2000)).toBe(false);
    expect(stoppedForwarding(t, probe, 2030)).toBe(false); // one probe missed: not enough
    answerReceived(t, 2001);
    expect(stoppedForwarding(t, probe, 2050)).toBe(false);
  });

  test('an answer forgives every probe before it', () => {
    const t = clock();
    probeSent(t, 0);
    answerReceived(t, 1);
    for (const at of [25, 50]) probeSent(t, at);
    answerReceived(t, 60);
    expect(t.unanswered).toEqual([]);
    expect(stoppedForwarding(t, probe, 100)).toBe(false);
  });

  test('a replica that never answered gets its first verdict from the silence alone (its probes may not leave)', () => {
    const t = clock();
    t.firstSentAt = 1000; // the IPv6 prober arms before it knows the node's address: nothing left yet
    expect(stoppedForwarding(t, probe, 1074)).toBe(false);
    expect(stoppedForwarding(t, probe, 1075)).toBe(true);
  });

  test('failureThreshold 1: the first probe that timed out decides', () => {
    const one = { intervalMs: 50, timeoutMs: 40, failureThreshold: 1 };
    const t = clock();
    probeSent(t, 0);
    answerReceived(t, 1);
    probeSent(t, 50);
    expect(stoppedForwarding(t, one, 89)).toBe(false);
    expect(stoppedForwarding(t, one, 90)).toBe(true);
  });

  describe('the timer', () => {
    beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
    afterEach(() => jest.useRealTimers());

    /** A replica that answered its first probe, its deadline armed as the prober arms it after an answer. */
    const answered = () => {
      const r = {
        t: clock(),
        dead: false,
        evidence: undefined as DeadEvidence | undefined,
        arm: () => armAnswerDeadline(r.t, probe, () => true, (e) => {
          r.dead = true;
          r.evidence = e;
        }),
      };
      probeSent(r.t);
      answerReceived(r.t);
      r.arm();
      return r;
    };

    test('after a stall it waits for the next probes to time out rather than giving up on the replica', () => {
      const r = answered();
      jest.advanceTimersByTime(500); // no probe left meanwhile (the agent stalled)
      expect(r.dead).toBe(false);
      probeSent(r.t); // the prober's cadence resumes: two probes leave and go unanswered
      jest.advanceTimersByTime(25);
      probeSent(r.t);
      jest.advanceTimersByTime(30);
      expect(r.dead).toBe(true);
      // The verdict says what it rested on: the stall's whole silence (until the second probe's timeout, at 550 ms), the
      // two probes that left and timed out, no reply read.
      expect(r.evidence?.probesMissed).toBe(2);
      expect(r.evidence?.silentMs).toBeGreaterThanOrEqual(550);
      expect(r.evidence?.silentMs).toBeLessThanOrEqual(555);
      expect(r.evidence?.lastReplyAgoMs).toBeUndefined();
    });

    test('answers keep a forwarding replica alive however long it runs', () => {
      const r = answered();
      for (let i = 0; i < 400; i++) {
        jest.advanceTimersByTime(25);
        probeSent(r.t);
        answerReceived(r.t);
        r.arm();
      }
      expect(r.dead).toBe(false);
    });
  });
});
