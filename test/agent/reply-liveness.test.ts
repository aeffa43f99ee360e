import { AnswerClock, answerReceived, armAnswerDeadline, probeSent } from '../../src/agent/node/answer-deadline';
import { livenessCounterName, livenessRuleset, parseCounters, ReplyLifeSigns, ReplyLiveness } from '../../src/agent/node/reply-liveness';

const probe = { intervalMs: 25, timeoutMs: 25, failureThreshold: 3 };
const counters = (c: Record<string, number>) => JSON.stringify({
  nftables: [{ metainfo: { version: '1.0.6' } }, ...Object.entries(c).map(([name, packets]) => ({ counter: { family: 'inet', name, table: 't', packets, bytes: 0 } }))],
});

/** A kernel whose counter for 10.0.0.5 (IPv4 replies) the test moves; records every nft run. */
function fakeKernel() {
  const k = { packets: 0, runs: [] as string[][], run: async (argv: string[]) => {
    k.runs.push(argv);
    return argv.includes('list') ? counters({ [livenessCounterName('10.0.0.5', 4)]: k.packets }) : '';
  } };
  return k;
}

describe('the reply-liveness table', () => {
  test('counts each replica\'s replies per family, and only the gateways\' VXLAN ports reach the per-replica rules', () => {
    const text = livenessRuleset([{ ip: '10.0.0.5', port: 4790 }, { ip: '10.0.1.7', port: 4791 }]);
    const counterNames = [...text.matchAll(/^ {2}counter (\S+) \{/gm)].map((m) => m[1]);
    expect(counterNames).toEqual(['r4_10_0_0_5', 'r6_10_0_0_5', 'r4_10_0_1_7', 'r6_10_0_1_7']);
    expect(text).toContain('ip saddr 10.0.0.5 udp dport 4790 @ih,160,16 0x0800 counter name "r4_10_0_0_5"');
    expect(text).toContain('ip saddr 10.0.1.7 udp dport 4791 @ih,160,16 0x86dd counter name "r6_10_0_1_7"');
    expect(text).toContain('udp dport { 4790, 4791 } jump replies');
    expect(text).not.toMatch(/drop|accept;\s*\n\s*accept|reject/); // counters only: it never decides a packet's fate
  });

  test('nft\'s JSON listing is read as packets per counter', () => {
    expect(parseCounters(counters({ r4_a: 3, r6_a: 0 }))).toEqual(new Map([['r4_a', 3], ['r6_a', 0]]));
  });

  test('growth between two readings proves life at the earlier one; no growth, or a rebuilt counter, proves nothing', async () => {
    const k = fakeKernel();
    const signs = new ReplyLifeSigns(new ReplyLiveness(k.run), livenessCounterName('10.0.0.5', 4));
    const now = jest.spyOn(Date, 'now');
    now.mockReturnValue(1000);
    expect(await signs.sample()).toBe(0); // the baseline
    k.packets = 5;
    now.mockReturnValue(1030);
    expect(await signs.sample()).toBe(1000);
    now.mockReturnValue(1060);
    expect(await signs.sample()).toBe(0);
    k.packets = 2; // the table was rebuilt
    now.mockReturnValue(1090);
    expect(await signs.sample()).toBe(0);
    now.mockRestore();
  });

  test('replicas overdue together share one nft run', async () => {
    const k = fakeKernel();
    const liveness = new ReplyLiveness(k.run);
    await Promise.all([liveness.read(), liveness.read(), liveness.read()]);
    expect(k.runs.filter((a) => a.includes('list'))).toHaveLength(1);
  });
});

describe('the probe deadline with the replies as proof of life', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** A replica that answered once, then whose answers stop (queued, or dead); the prober keeps sending probes. */
  function silentReplica(k: ReturnType<typeof fakeKernel>, withSigns = true) {
    const t: AnswerClock = { firstSentAt: 0, lastAnswerAt: 0, unanswered: [] };
    const r = { t, deadAt: 0 };
    const signs = new ReplyLifeSigns(new ReplyLiveness(k.run), livenessCounterName('10.0.0.5', 4));
    probeSent(t);
    answerReceived(t);
    armAnswerDeadline(t, probe, () => true, () => (r.deadAt = Date.now()), withSigns ? signs : undefined);
    return r;
  }
  async function run(ms: number, k: ReturnType<typeof fakeKernel>, repliesFlow: () => boolean, r: { t: AnswerClock }) {
    for (let i = 0; i < ms; i++) {
      if (i % probe.intervalMs === 0) probeSent(r.t);
      if (repliesFlow()) k.packets++;
      await jest.advanceTimersByTimeAsync(1);
    }
  }

  test('answers silent for 2 s while its replies keep arriving: never dead', async () => {
    const k = fakeKernel();
    const r = silentReplica(k);
    await run(2000, k, () => true, r);
    expect(r.deadAt).toBe(0);
  });

  test('the replies stop too (a real death): dead within one window plus one reading period of the last reply', async () => {
    const k = fakeKernel();
    const r = silentReplica(k);
    const start = Date.now();
    await run(1000, k, () => Date.now() - start < 300, r);
    const allowed = (probe.failureThreshold - 1) * probe.intervalMs + probe.timeoutMs;
    expect(r.deadAt).toBeGreaterThan(start + 300);
    expect(r.deadAt - (start + 300)).toBeLessThanOrEqual(allowed + probe.intervalMs);
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
