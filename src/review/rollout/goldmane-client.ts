import * as fs from 'fs';
import * as http2 from 'http2';
import { FlowRecord, FlowRecordError, parseFlowRecord } from './flow-record';
import { FLOW_LIST_REQUEST_SCHEMA, FLOW_LIST_RESULT_SCHEMA } from './goldmane-schema';
import { decodeMessage, encodeMessage } from './protobuf-wire';

/** Where Goldmane's gRPC API is and how to authenticate to it. */
export interface GoldmaneConnection {
  /** `https://host:port` (TLS; Calico's install serves Goldmane on 7443 with mutual TLS) or `http://host:port` (no TLS). */
  readonly url: string;
  /** PEM file of the CA that signed Goldmane's serving certificate. */
  readonly caFile?: string;
  /** PEM files of a client certificate and key Goldmane trusts (its CA_CERT_PATH signed them). */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** TLS server name, when it differs from the URL's host (e.g. goldmane.calico-system.svc through a port-forward). */
  readonly serverName?: string;
  /** Flows that started at most this many seconds ago; 0 for Goldmane's whole history. */
  readonly sinceSeconds?: number;
  /** Milliseconds before a call gives up. @default 30000 */
  readonly timeoutMs?: number;
}

const PAGE_SIZE = 1000;
/** A guard against a server that keeps answering with more pages. */
const MAX_PAGES = 10_000;

/**
 * Lists Goldmane's flows through its gRPC API (`goldmane.Flows/List`, paged), speaking gRPC over node's HTTP/2
 * directly: no gRPC library to bundle into the jsii package. Errors name the URL and what went wrong.
 */
export async function listGoldmaneFlows(conn: GoldmaneConnection): Promise<FlowRecord[]> {
  const url = parseUrl(conn.url);
  const tls = url.protocol === 'https:' ? {
    ca: conn.caFile ? readPem(conn.caFile, '--ca') : undefined,
    cert: conn.certFile ? readPem(conn.certFile, '--cert') : undefined,
    key: conn.keyFile ? readPem(conn.keyFile, '--key') : undefined,
    servername: conn.serverName,
  } : {};
  const session = http2.connect(url.origin, tls);
  const failed = new Promise<never>((_, reject) => session.on('error', e => reject(new FlowRecordError(conn.url, `cannot reach Goldmane: ${(e as Error).message}`))));
  failed.catch(() => undefined);
  try {
    // Connected (and TLS agreed) first, so that a refused connection or a rejected certificate is said as such.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FlowRecordError(conn.url, `cannot reach Goldmane: no connection within ${(conn.timeoutMs ?? 30_000) / 1000} s`)), conn.timeoutMs ?? 30_000);
    });
    await Promise.race([new Promise(resolve => session.once('connect', resolve)), failed, timeout]).finally(() => clearTimeout(timer));
    const records: FlowRecord[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      // a negative start is relative to now (api.proto); 0 is the start of Goldmane's history
      const start = conn.sinceSeconds ? -Math.abs(conn.sinceSeconds) : 0;
      const request = encodeMessage(FLOW_LIST_REQUEST_SCHEMA, { start_time_gte: start, page, page_size: PAGE_SIZE });
      const answer = await Promise.race([unaryCall(session, '/goldmane.Flows/List', request, conn), failed]);
      const result = decodeMessage(FLOW_LIST_RESULT_SCHEMA, answer);
      const flows = (result.flows as { flow?: unknown }[] | undefined) ?? [];
      flows.forEach((f, i) => records.push(parseFlowRecord(f.flow ?? {}, `${conn.url} page ${page} flow ${i}`)));
      const pages = Number((result.meta as { totalPages?: number } | undefined)?.totalPages ?? 0);
      if (flows.length === 0 || page + 1 >= pages) break;
    }
    return records;
  } finally {
    session.close();
  }
}

/** One unary gRPC call: a length-prefixed request, a length-prefixed answer, the status in the trailers. */
function unaryCall(session: http2.ClientHttp2Session, path: string, message: Buffer, conn: GoldmaneConnection): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => reject(new FlowRecordError(conn.url, reason));
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', 'te': 'trailers' });
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    stream.setTimeout(conn.timeoutMs ?? 30_000, () => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      fail(`Goldmane did not answer ${path} within ${(conn.timeoutMs ?? 30_000) / 1000} s`);
    });
    stream.on('response', h => { headers = h; });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', e => fail(`${path} failed: ${e.message}`));
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on('trailers', t => { trailers = t; });
    stream.on('end', () => {
      const status = trailers['grpc-status'] ?? headers['grpc-status'];
      const httpStatus = headers[':status'];
      if (httpStatus !== undefined && Number(httpStatus) !== 200) return fail(`${path} answered HTTP ${httpStatus}: not a gRPC server?`);
      if (status === undefined) return fail(`${path} answered without a gRPC status: not Goldmane's gRPC API?`);
      if (String(status) !== '0') {
        const text = decodeURIComponent(String(trailers['grpc-message'] ?? headers['grpc-message'] ?? ''));
        return fail(`${path} failed with gRPC status ${status}${text ? `: ${text}` : ''}`);
      }
      const body = Buffer.concat(chunks);
      if (body.length < 5) return resolve(Buffer.alloc(0));
      if (body[0] !== 0) return fail(`${path} answered with a compressed message, which this client does not ask for`);
      resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
    });
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(message.length, 1);
    stream.end(Buffer.concat([frame, message]));
  });
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FlowRecordError(text, 'is not a URL (https://<host>:<port> for Goldmane\'s gRPC API)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FlowRecordError(text, `has scheme "${url.protocol}": use https:// (TLS) or http:// (no TLS)`);
  return url;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new FlowRecordError(file, `(${flag}) cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
