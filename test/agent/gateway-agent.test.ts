import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elementsIn, FakeKernel } from './fake-kernel';
import { waitFor } from './wait-for';
import { GatewayAgent } from '../../src/agent/gateway/gateway-agent';
import { GATEWAY_NFT_TABLE } from '../../src/agent/gateway/gateway-ruleset';
import { validDocument } from '../datapath/data-path-fixture';

const filler = (i: number) => ({ cidr: `100.${64 + Math.floor(i / 256)}.${i % 256}.0/24`, protocol: 'tcp', ports: ['443'] });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('GatewayAgent allow-list changes (fake kernel)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-agent-'));
  const path = join(dir, 'config.json');
  const doc = (fillers: number[]) => {
    const d = validDocument();
    d.zones[0].allow = [...d.zones[0].allow, ...fillers.map(filler)];
    return JSON.stringify(d);
  };
  let agent: GatewayAgent | undefined;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true); // the agent's JSON log lines
  });
  afterEach(() => {
    agent?.stop();
    stderr.mockRestore();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('successive -100/+100 changes: one transaction each, 200 elements in place, however many came before; a failure rebuilds, then in place again', async () => {
    const kernel = new FakeKernel();
    writeFileSync(path, doc(range(0, 2_000)));
    agent = new GatewayAgent({ configPath: path, gateway: 'gw', podIp: '10.201.100.11', kernel, healthHost: '127.0.0.1', healthPort: 0 }, doc(range(0, 2_000)));
    await agent.start();
    await waitFor('the first table', () => kernel.nftScripts.some((s) => s.includes('chain forward')), 10_000);
    // The load: the maps filled by a transaction of their own, then the switch.
    expect(kernel.nftScripts.map(elementsIn)[0]).toBeGreaterThanOrEqual(2_000);
    const perChange: Array<{ transactions: number; elements: number; rebuilt: boolean }> = [];
    const change = async (k: number) => {
      const before = kernel.nftScripts.length;
      writeFileSync(path, doc([...range(100, 1_900), ...range(10_000 + 100 * k, 100)]));
      await waitFor(`change ${k}`, () => kernel.nftScripts.slice(before).some((s) => s.includes('chain forward')), 10_000);
      const mine = kernel.nftScripts.slice(before).filter((s) => new RegExp(`inet ${GATEWAY_NFT_TABLE}\\b`).test(s)); // not the reply tunnel's table
      perChange.push({ transactions: mine.length, elements: mine.map(elementsIn).reduce((a, b) => a + b, 0), rebuilt: mine.some((s) => /^ {2}(set|map) /m.test(s)) });
    };
    for (let k = 0; k < 12; k++) await change(k);
    expect(perChange).toEqual(range(0, 12).map(() => ({ transactions: 1, elements: 200, rebuilt: false })));

    // A rejected transaction leaves the kernel's table unknown: the retry rebuilds every set, the next change is in place again.
    kernel.failNext = 'nft';
    await change(12);
    expect(perChange[12]).toEqual({ transactions: 2, elements: expect.any(Number), rebuilt: true });
    expect(perChange[12].elements).toBeGreaterThanOrEqual(2_000);
    await change(13);
    expect(perChange[13]).toEqual({ transactions: 1, elements: 200, rebuilt: false });
    const logged = stderr.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"msg":"table updated"'));
    expect(JSON.parse(logged[logged.length - 1])).toEqual(expect.objectContaining({ sets: ['z1_l24'], added: 100, removed: 100, stageMs: 0, rebuilt: [] }));
  }, 60_000);
});
