/* eslint-disable no-bitwise */ // the wire format is bit arithmetic: tags, varints
/**
 * Protocol Buffers' wire format for the few messages the rollout report exchanges with Goldmane: varints
 * (int64, enum, bool) and length-delimited fields (string, message), driven by a small schema. Written here
 * rather than taken from a protobuf library: the CLI ships inside the jsii package, whose runtime dependencies
 * every Python/Java/Go user would install. Unknown fields are skipped, as protobuf requires.
 */

/** One field of a message: its name (the proto field name), type, and whether it repeats. */
export interface ProtoField {
  readonly name: string;
  readonly type: 'string' | 'int64' | 'enum' | 'bool' | 'message';
  readonly message?: ProtoSchema;
  readonly repeated?: boolean;
}

/** A message: its fields by field number. */
export interface ProtoSchema {
  readonly [fieldNumber: number]: ProtoField;
}

type Decoded = { [name: string]: unknown };

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** Encodes an object (proto field names as keys) as a message of the schema; absent and zero fields are left out. */
export function encodeMessage(schema: ProtoSchema, value: Decoded): Buffer {
  const parts: Buffer[] = [];
  for (const [num, f] of Object.entries(schema).map(([n, fd]) => [Number(n), fd as ProtoField] as const)) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    for (const item of f.repeated ? (v as unknown[]) : [v]) {
      if (f.type === 'message') {
        const body = encodeMessage(f.message!, item as Decoded);
        parts.push(varint(BigInt((num << 3) | LEN)), varint(BigInt(body.length)), body);
      } else if (f.type === 'string') {
        const body = Buffer.from(String(item), 'utf8');
        if (body.length === 0 && !f.repeated) continue;
        parts.push(varint(BigInt((num << 3) | LEN)), varint(BigInt(body.length)), body);
      } else {
        const n = BigInt(typeof item === 'boolean' ? Number(item) : (item as number));
        if (n === 0n && !f.repeated) continue;
        parts.push(varint(BigInt((num << 3) | VARINT)), varint(BigInt.asUintN(64, n)));
      }
    }
  }
  return Buffer.concat(parts);
}

/** Decodes a message of the schema into an object keyed by proto field names (enums as numbers, int64 as numbers). */
export function decodeMessage(schema: ProtoSchema, buf: Buffer): Decoded {
  const out: Decoded = {};
  const r = { buf, pos: 0 };
  while (r.pos < buf.length) {
    const tag = Number(readVarint(r));
    const num = tag >>> 3;
    const wire = tag & 7;
    const f = schema[num];
    let value: unknown;
    if (wire === VARINT) {
      const n = BigInt.asIntN(64, readVarint(r));
      value = f?.type === 'bool' ? n !== 0n : Number(n);
    } else if (wire === LEN) {
      const len = Number(readVarint(r));
      if (r.pos + len > buf.length) throw new Error('protobuf message truncated');
      const body = buf.subarray(r.pos, r.pos + len);
      r.pos += len;
      value = f?.type === 'message' ? decodeMessage(f.message!, body) : body.toString('utf8');
    } else if (wire === I64 || wire === I32) {
      r.pos += wire === I64 ? 8 : 4;
      continue;
    } else {
      throw new Error(`protobuf wire type ${wire} is not supported`);
    }
    if (!f) continue;
    // a page holds up to 1000 flows: appended in place, not copied per flow
    if (f.repeated) ((out[f.name] ??= []) as unknown[]).push(value);
    else out[f.name] = value;
  }
  return out;
}

function varint(n: bigint): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    bytes.push(b);
  } while (v > 0n);
  return Buffer.from(bytes);
}

function readVarint(r: { buf: Buffer; pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (r.pos >= r.buf.length) throw new Error('protobuf varint truncated');
    const b = r.buf[r.pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
    if (shift > 63n) throw new Error('protobuf varint too long');
  }
}
