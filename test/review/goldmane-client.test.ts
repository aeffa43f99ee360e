import * as fs from 'fs';
import * as http2 from 'http2';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { rolloutApp, shopFlows } from './rollout-fixture';
import { main, mainAsync } from '../../src/cli/main';
import { readFlowFile } from '../../src/review/rollout/flow-file';
import { listGoldmaneFlows } from '../../src/review/rollout/goldmane-client';
import { FLOW_LIST_REQUEST_SCHEMA, FLOW_LIST_RESULT_SCHEMA, POLICY_HIT_SCHEMA } from '../../src/review/rollout/goldmane-schema';
import { decodeMessage, encodeMessage } from '../../src/review/rollout/protobuf-wire';

// Goldmane's Flows.List over gRPC, against a stand-in server speaking the same wire format (HTTP/2, length-prefixed
// protobuf, grpc-status trailers). The real Goldmane is the lab's (test/lab/rollout-report.test.ts).

interface Served {
  readonly url: string;
  readonly requests: { [k: string]: unknown }[];
  readonly close: () => Promise<void>;
}

/** A stand-in Goldmane: answers List with the flows in pages of `pageSize`, or with a gRPC error. */
async function fakeGoldmane(flows: object[], options: { pageSize?: number; status?: number; message?: string } = {}): Promise<Served> {
  const requests: { [k: string]: unknown }[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const request = decodeMessage(FLOW_LIST_REQUEST_SCHEMA, body.subarray(5, 5 + body.readUInt32BE(1)));
      requests.push({ path: headers[':path'], contentType: headers['content-type'], ...request });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(options.status
        ? { 'grpc-status': String(options.status), 'grpc-message': encodeURIComponent(options.message ?? '') }
        : { 'grpc-status': '0' }));
      if (options.status) {
        stream.end();
        return;
      }
      const size = options.pageSize ?? 1000;
      const page = Number(request.page ?? 0);
      const result = encodeMessage(FLOW_LIST_RESULT_SCHEMA, {
        meta: { totalPages: Math.ceil(flows.length / size), totalResults: flows.length },
        flows: flows.slice(page * size, (page + 1) * size).map((flow, i) => ({ id: page * size + i + 1, flow })),
      });
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(result.length, 1);
      stream.end(Buffer.concat([frame, result]));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise(resolve => server.close(() => resolve())) };
}

describe('Goldmane\'s gRPC API', () => {
  test('pages through Flows/List; the flows read as the same flows from a file', async () => {
    const goldmane = await fakeGoldmane(shopFlows(), { pageSize: 4 });
    try {
      const records = await listGoldmaneFlows({ url: goldmane.url, sinceSeconds: 3600 });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goldmane-')), 'flows.jsonl');
      fs.writeFileSync(file, shopFlows().map(f => JSON.stringify(f)).join('\n'));
      expect(records).toEqual(readFlowFile(file));
      // three pages of 4, from an hour ago (Goldmane reads a negative start as relative to now)
      expect(goldmane.requests).toEqual([0, 1, 2].map(page => ({
        path: '/goldmane.Flows/List', contentType: 'application/grpc', start_time_gte: -3600, page_size: 1000, ...(page ? { page } : {}),
      })));
    } finally {
      await goldmane.close();
    }
  });

  test('the CLI reports from the API as from a file', async () => {
    const goldmane = await fakeGoldmane(shopFlows());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldmane-cli-'));
    fs.writeFileSync(path.join(dir, 'egress-model.json'), JSON.stringify(rolloutApp().doc));
    fs.writeFileSync(path.join(dir, 'flows.jsonl'), shopFlows().map(f => JSON.stringify(f)).join('\n'));
    try {
      const fromApi: string[] = [];
      const fromFile: string[] = [];
      expect(await mainAsync(['rollout-report', '--app', dir, '--flows', goldmane.url, '-o', 'json'], l => fromApi.push(l))).toBe(1);
      expect(main(['rollout-report', '--app', dir, '--flows', path.join(dir, 'flows.jsonl'), '-o', 'json'], l => fromFile.push(l))).toBe(1);
      expect(JSON.parse(fromApi.join('\n'))).toEqual(JSON.parse(fromFile.join('\n')));
      // main() answers at once, so it says which call reads the network
      expect(() => main(['rollout-report', '--app', dir, '--flows', goldmane.url], () => undefined)).toThrow(/reads the network: call mainAsync\(\)/);
    } finally {
      await goldmane.close();
    }
  });

  test('a gRPC error, a server that is not there, a URL that is not one: one clear error each', async () => {
    const failing = await fakeGoldmane([], { status: 3, message: 'startTimeGt (5) must be less than startTimeLt (4)' });
    try {
      await expect(listGoldmaneFlows({ url: failing.url })).rejects.toThrow(/\/goldmane\.Flows\/List failed with gRPC status 3: startTimeGt \(5\) must be less than startTimeLt \(4\)$/);
    } finally {
      await failing.close();
    }
    const refused = await fakeGoldmane([]);
    await refused.close();
    await expect(listGoldmaneFlows({ url: refused.url })).rejects.toThrow(new RegExp(`^${refused.url}: cannot reach Goldmane: connect ECONNREFUSED`));
    const err: string[] = [];
    expect(await mainAsync(['rollout-report', '--app', fs.mkdtempSync(path.join(os.tmpdir(), 'x-')), '--flows', 'ftp://goldmane:7443'], () => undefined, l => err.push(l))).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^error: no egress model at/)]);
    await expect(listGoldmaneFlows({ url: 'ftp://goldmane:7443' })).rejects.toThrow(/ftp:\/\/goldmane:7443: has scheme "ftp:": use https:\/\/ \(TLS\) or http:\/\/ \(no TLS\)/);
    await expect(listGoldmaneFlows({ url: 'https://localhost:1', caFile: '/nonexistent/ca.pem' })).rejects.toThrow(/\/nonexistent\/ca\.pem: \(--ca\) cannot be read: ENOENT/);
  });
});

describe('protobuf wire format', () => {
  test('a PolicyHit with a negative rule index and a trigger round-trips', () => {
    const endOfTier = { kind: 10, tier: 'default', action: 2, policy_index: 3, rule_index: -1, trigger: { kind: 4, name: 'egress-shop', tier: 'default' } };
    expect(decodeMessage(POLICY_HIT_SCHEMA, encodeMessage(POLICY_HIT_SCHEMA, endOfTier))).toEqual(endOfTier);
    // -1 is ten bytes on the wire (two's complement varint), as Go writes int64
    expect(encodeMessage(POLICY_HIT_SCHEMA, { rule_index: -1 }).toString('hex')).toBe('38ffffffffffffffffff01');
  });

  test('unknown fields are skipped', () => {
    // field 9 (varint 150) and field 12 (a string) are not in PolicyHit's schema
    const buf = Buffer.concat([Buffer.from('489601', 'hex'), Buffer.from([0x62, 3]), Buffer.from('abc'), encodeMessage(POLICY_HIT_SCHEMA, { name: 'p' })]);
    expect(decodeMessage(POLICY_HIT_SCHEMA, buf)).toEqual({ name: 'p' });
  });
});
