import { formatIPv6 } from '../../model/ip-text';

/**
 * The little of RFC 1035 the DNS proxy needs: the header, the question, and the A/AAAA/CNAME records of the
 * answer section (names with compression pointers). Hand-written rather than a dependency: the proxy never
 * rewrites an answer (the pod gets the upstream's bytes), so only reading and a SERVFAIL reply are needed.
 * Everything is bounds-checked; a malformed message throws DnsFormatError and is never half-read.
 */
export class DnsFormatError extends Error {}

export interface DnsRecord {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  readonly ttl: number;
  /** An address (A/AAAA) or the target name (CNAME). */
  readonly data: string;
}

export interface DnsAnswer {
  readonly id: number;
  readonly response: boolean;
  readonly truncated: boolean;
  readonly rcode: number;
  readonly question?: string;
  readonly records: DnsRecord[];
}

const TYPES: { [n: number]: DnsRecord['type'] } = { 1: 'A', 28: 'AAAA', 5: 'CNAME' };

export function parseDnsMessage(buf: Buffer): DnsAnswer {
  if (buf.length < 12) throw new DnsFormatError('shorter than a DNS header');
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  let question: string | undefined;
  for (let i = 0; i < qd; i++) {
    const n = readName(buf, off);
    off = n.next + 4;
    if (off > buf.length) throw new DnsFormatError('question runs past the end');
    question ??= n.name;
  }
  const records: DnsRecord[] = [];
  // eslint-disable-next-line no-bitwise
  const truncated = (flags & 0x0200) !== 0;
  for (let i = 0; i < an; i++) {
    // A truncated answer may be cut inside a record (RFC 2181 5.1 asks for whole RRsets, not every server obeys): the
    // records before the cut are read, the pod gets the answer with TC and asks again over TCP.
    if (truncated && !wholeRecordAt(buf, off)) break;
    const n = readName(buf, off);
    off = n.next;
    if (off + 10 > buf.length) throw new DnsFormatError('record header runs past the end');
    const type = buf.readUInt16BE(off);
    const cls = buf.readUInt16BE(off + 2);
    const ttl = buf.readUInt32BE(off + 4);
    const len = buf.readUInt16BE(off + 8);
    off += 10;
    if (off + len > buf.length) throw new DnsFormatError('record data runs past the end');
    const t = TYPES[type];
    if (t && cls === 1) {
      if (t === 'A' && len === 4) records.push({ name: n.name, type: t, ttl, data: [...buf.subarray(off, off + 4)].join('.') });
      else if (t === 'AAAA' && len === 16) records.push({ name: n.name, type: t, ttl, data: ipv6Text(buf, off) });
      else if (t === 'CNAME') records.push({ name: n.name, type: t, ttl, data: readName(buf, off).name });
    }
    off += len;
  }
  // eslint-disable-next-line no-bitwise
  return { id: buf.readUInt16BE(0), response: (flags & 0x8000) !== 0, truncated, rcode: flags & 0xf, question, records };
}

/** Whether a whole record starts at `off`. */
function wholeRecordAt(buf: Buffer, off: number): boolean {
  try {
    const next = readName(buf, off).next;
    return next + 10 <= buf.length && next + 10 + buf.readUInt16BE(next + 8) <= buf.length;
  } catch {
    return false;
  }
}

/** A lower-case name without the trailing dot; follows compression pointers (at most 64 hops, never forward loops). */
function readName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let off = start;
  let next = -1;
  for (let hops = 0; ; hops++) {
    if (off >= buf.length || hops > 64) throw new DnsFormatError('name runs past the end or loops');
    const len = buf[off];
    // eslint-disable-next-line no-bitwise
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) throw new DnsFormatError('pointer runs past the end');
      if (next < 0) next = off + 2;
      // eslint-disable-next-line no-bitwise
      off = ((len & 0x3f) << 8) | buf[off + 1];
      continue;
    }
    if (len > 63) throw new DnsFormatError('label longer than 63');
    if (len === 0) break;
    if (off + 1 + len > buf.length) throw new DnsFormatError('label runs past the end');
    labels.push(buf.toString('latin1', off + 1, off + 1 + len).toLowerCase());
    off += 1 + len;
  }
  return { name: labels.join('.'), next: next >= 0 ? next : off + 1 };
}

/** RFC 5952 text of the 16 address bytes at `off` (model/ip-text.ts: the text the rest of the library writes). */
function ipv6Text(b: Buffer, off: number): string {
  return formatIPv6(b.readUInt32BE(off), b.readUInt32BE(off + 4), b.readUInt32BE(off + 8), b.readUInt32BE(off + 12));
}

/** The query's header and question with QR set and RCODE 2 (SERVFAIL): the pod retries or fails, never waits. */
export function servfailFor(query: Buffer): Buffer {
  if (query.length < 12) return Buffer.alloc(0);
  let qEnd = 12;
  try {
    if (query.readUInt16BE(4) > 0) qEnd = readName(query, 12).next + 4;
  } catch {
    qEnd = 12;
  }
  const out = Buffer.from(query.subarray(0, Math.min(qEnd, query.length)));
  // eslint-disable-next-line no-bitwise
  out.writeUInt16BE((query.readUInt16BE(2) & 0x7900) | 0x8082, 2); // QR, opcode + RD kept, RA, SERVFAIL
  out.writeUInt16BE(qEnd > 12 ? 1 : 0, 4);
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(0, 10);
  return out;
}

/**
 * The addresses an answer gives for a name: A/AAAA records of the name itself or of any name its CNAME chain
 * reaches (in order; at most 16 links), each with the smallest TTL along its chain, and every name on the way.
 */
export function resolveChain(records: DnsRecord[], question: string): { names: string[]; addresses: Array<{ ip: string; ttl: number }> } {
  const names = [question];
  const ttlTo = new Map<string, number>([[question, Infinity]]);
  for (let i = 0; i < names.length && i < 17; i++) {
    for (const r of records) {
      if (r.type === 'CNAME' && r.name === names[i] && !ttlTo.has(r.data)) {
        ttlTo.set(r.data, Math.min(ttlTo.get(names[i])!, r.ttl));
        names.push(r.data);
      }
    }
  }
  const addresses = records.filter((r) => r.type !== 'CNAME' && ttlTo.has(r.name)).map((r) => ({ ip: r.data, ttl: Math.min(r.ttl, ttlTo.get(r.name)!) }));
  return { names, addresses };
}
