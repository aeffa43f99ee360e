import { AnswerClock, answerReceived, armAnswerDeadline, DeadEvidence, probeSent } from '../../src/agent/node/answer-deadline';
import { LIVENESS_MEMORY_S, livenessKey, livenessRuleset, parseLastReplies, ReplyLifeSigns, ReplyLiveness } from '../../src/agent/node/reply-liveness';

const probe = { intervalMs: 25, timeoutMs: 25, failureThreshold: 3 };

/** A kernel whose last IPv4 reply from 10.0.0.5 the test moves (lastReplyAt; 0: none); records every nft run. */
/** A liveness reader whose table holds 10.0.0.5 (its tunnel on 4790). */
function livenessOn(k: { run: (argv: string[]) => Promise<string> }): ReplyLiveness {
  const l = new ReplyLiveness(k.run);
  l.setTargets([{ ip: '10.0.0.5', port: 4790 }]);
  return l;
}

function fakeKernel() {
  const k = {
    lastReplyAt: 0,
    runs: [] as string[][],
    run: async (argv: string[]) => {
      k.runs.push(argv);
      if (!argv.includes('list')) return '';
      const left = LIVENESS_MEMORY_S * 1000 - (Date.now() - k.lastReplyAt);
      const elements = k.lastReplyAt && left > 0 ? `\t\telements = { 10.0.0.5 expires ${Math.floor(left / 1000)}s${left % 1000}ms }\n` : '';
      return `table inet cdk8s_egress_liveness {\n\tset alive4 {\n\t\ttype ipv4_addr\n${elements}\t}\n\tset alive6 {\n\t\ttype ipv4_addr\n\t}\n}\n`;
    },
  };
  return k;
}

describe('the reply-liveness table', () => {
  test('remembers each replica\'s last reply per family; only its own tunnels\' replies count', () => {
    const text = livenessRuleset([{ ip: '10.0.0.5', port: 4790 }, { ip: '10.0.1.7', port: 4791 }]);
    expect([...text.matchAll(/^ {2}set (\S+) \{/gm)].map((m) => m[1])).toEqual(['alive4', 'alive6']);
    expect(text).toContain('ip saddr . udp dport { 10.0.0.5 . 4790, 10.0.1.7 . 4791 } @ih,160,16 0x0800 update @alive4 { ip saddr }');
    expect(text).toContain('ip saddr . udp dport { 10.0.0.5 . 4790, 10.0.1.7 . 4791 } @ih,160,16 0x86dd update @alive6 { ip saddr }');
    expect(text).not.toMatch(/\b(drop|reject|accept)\b(?!;)/); // it never decides a packet's fate
  });

  test('nft\'s listing is read as milliseconds since each replica\'s last reply, per family', () => {
    const text = 'table inet t {\n\tset alive4 {\n\t\telements = { 10.0.0.5 expires 9s856ms, 10.0.0.6 expires 1s }\n\t}\n'
      + '\tset alive6 {\n\t\telements = { 10.0.0.5 expires 10s }\n\t}\n}\n';
    expect(parseLastReplies(text)).toEqual(new Map([[livenessKey('10.0.0.5', 4), 144], [livenessKey('10.0.0.6', 4), 9000], [livenessKey('10.0.0.5', 6), 0]]));
  });

  test('the last reply is dated from the reading\'s start (never later than it came); none remembered: 0', async () => {
    const k = fakeKernel();
    const signs = new ReplyLifeSigns(livenessOn(k), '10.0.0.5', 4);
    expect(await signs.sample()).toBe(0);
    k.lastReplyAt = Date.now() - 30;
    expect(await signs.sample()).toBeLessThanOrEqual(k.lastReplyAt);
    expect(await new ReplyLifeSigns(livenessOn(k), '10.0.0.5', 6).sample()).toBe(0);
  });

  test('replicas overdue together share one nft run', async () => {
    const k = fakeKernel();
    const liveness = livenessOn(k);
    await Promise.all([liveness.lastReplyAt('10.0.0.5', 4), liveness.lastReplyAt('10.0.0.6', 4), liveness.lastReplyAt('10.0.0.5', 6)]);
    expect(k.runs.filter((a) => a.includes('list'))).toHaveLength(1);
  });

  test('a table that could not be applied is not read (no nft run, no proof): the probes alone decide', async () => {
    const k = {
      runs: [] as string[][],
      run: async (argv: string[]) => {
        k.runs.push(argv);
        throw new Error('nft: syntax error');
      },
    };
    const liveness = new ReplyLiveness(k.run);
    liveness.setTargets([{ ip: '10.0.0.5', port: 4790 }]);
    expect(await liveness.lastReplyAt('10.0.0.5', 4)).toBe(0);
    expect(await liveness.lastReplyAt('10.0.0.5', 4)).toBe(0);
    expect(k.runs.filter((a) => a.includes('list'))).toHaveLength(0);
  });
});

describe('the probe deadline with the replies as proof of life', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** A replica that answered once, then whose answers stop (queued, or dead); the prober keeps sending probes. */
  function silentReplica(k: ReturnType<typeof fakeKernel>, withSigns = true) {
    const t: AnswerClock = { firstSentAt: 0, lastAnswerAt: 0, unanswered: [] };
    const r = { t, deadAt: 0, evidence: undefined as DeadEvidence | undefined };
    const signs = new ReplyLifeSigns(livenessOn(k), '10.0.0.5', 4);
    probeSent(t);
    answerReceived(t);
    armAnswerDeadline(t, probe, () => true, (e) => {
      r.deadAt = Date.now();
      r.evidence = e;
    }, withSigns ? signs : undefined);
    return r;
  }
  async function run(ms: number, k: ReturnType<typeof fakeKernel>, repliesFlow: () => boolean, r: { t: AnswerClock }) {
    for (let i = 0; i < ms; i++) {
      if (i % probe.intervalMs === 0) probeSent(r.t);
      if (repliesFlow()) k.lastReplyAt = Date.now();
      await jest.advanceTimersByTimeAsync(1);
    }
  }

  test('answers silent for 2 s while its replies keep arriving: never dead', async () => {
    const k = fakeKernel();
    const r = silentReplica(k);
    await run(2000, k, () => true, r);
    expect(r.deadAt).toBe(0);
  });

  test('the replies stop too (a real death): dead one window after the last reply', async () => {
    const k = fakeKernel();
    const r = silentReplica(k);
    const start = Date.now();
    await run(1000, k, () => Date.now() - start < 300, r);
    const allowed = (probe.failureThreshold - 1) * probe.intervalMs + probe.timeoutMs;
    expect(r.deadAt).toBeGreaterThan(start + 300);
    expect(r.deadAt - (start + 300)).toBeGreaterThanOrEqual(allowed - 1);
    expect(r.deadAt - (start + 300)).toBeLessThanOrEqual(allowed + 2);
    // The verdict names the last reply it read: one window (and the reading's lead) before it.
    expect(r.evidence!.lastReplyAgoMs).toBeGreaterThanOrEqual(allowed - 1);
    expect(r.evidence!.lastReplyAgoMs).toBeLessThanOrEqual(allowed + 2);
    expect(r.evidence!.probesMissed).toBeGreaterThanOrEqual(probe.failureThreshold - 1);
  });

  test('a death just after its last answer (replies until then): dead at the same instant as with the probes alone', async () => {
    const verdictAfter = async (withSigns: boolean) => {
      const k = fakeKernel();
      const r = silentReplica(k, withSigns);
      const start = Date.now();
      await run(300, k, () => Date.now() - start < 20, r);
      return r.deadAt - start;
    };
    expect(await verdictAfter(true)).toBe(await verdictAfter(false));
  });

  test('no replies at all: dead at the same instant as without the proof (the probes alone decide)', async () => {
    const verdictAfter = async (withSigns: boolean) => {
      const k = fakeKernel();
      const r = silentReplica(k, withSigns);
      const start = Date.now();
      await run(300, k, () => false, r);
      return r.deadAt - start;
    };
    const probesAlone = await verdictAfter(false);
    expect(probesAlone).toBeGreaterThanOrEqual(75);
    expect(await verdictAfter(true)).toBe(probesAlone);
  });
});
