import { DataPathProblem } from './data-path-config-error';
import { Cidr, IpFamily } from '../model/cidr';
import { EgressValidationError } from '../model/errors';

// The field-level checks of the data-path document (parse-data-path-config.ts reads its structure):
// JSON types, names, numbers, ports and IP ranges, each problem collected as `<json path>: <reason>`.

/** A range of the document, with its canonical text. */
export interface DocCidr { readonly text: string; readonly cidr: Cidr }

/**
 * Parses "a.b.c.d/n" (or a bare address as /32; with `ipv6`, IPv6 too) with the library's CIDR value object, the
 * way Calico parses it; returns the reason when it is not such a network (version 1 of the document is IPv4 only).
 */
export function parseDocCidr(text: unknown, ipv6: boolean): DocCidr | string {
  if (typeof text !== 'string') return `must be a string, got ${show(text)}`;
  let parsed: { cidr: Cidr; hostBits: boolean };
  try {
    parsed = Cidr._parseWithHostBits(text);
  } catch (e) {
    const v = e as EgressValidationError;
    return `"${text}" ${v.reason ?? `is not an ${ipv6 ? 'IP' : 'IPv4'} CIDR`}${v.hint ? `; ${v.hint}` : ''}`;
  }
  if (!ipv6 && parsed.cidr.family !== IpFamily.IPV4) return `"${text}" is not an IPv4 CIDR (version 1 of the data path is IPv4 only)`;
  if (parsed.hostBits) return `"${text}" has host bits set; did you mean "${parsed.cidr}"?`;
  return { text: parsed.cidr.toString(), cidr: parsed.cidr };
}

/** Parses a plain address (no prefix; with `ipv6`, IPv6 too); returns the reason when it is not one. */
export function parseDocAddress(text: unknown, ipv6: boolean): string | { text: string; family: IpFamily } {
  const c = typeof text === 'string' && !text.includes('/') ? parseDocCidr(text, ipv6) : undefined;
  if (c === undefined || typeof c === 'string') return `${show(text)} is not an ${ipv6 ? 'IP' : 'IPv4'} address`;
  return { text: c.cidr.networkAddress, family: c.cidr.family };
}

export type Obj = { [key: string]: unknown };

/** A value as the problem list shows it; never throws (BigInts and cycles have no JSON text). */
export function show(v: unknown): string {
  try {
    const text = JSON.stringify(v);
    return text === undefined ? String(v) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return typeof v === 'bigint' ? `${v}n` : `a ${typeof v} that is not JSON`;
  }
}

/**
 * Where a value is not JSON data (a BigInt, a symbol, a function, a cycle, NaN, a class instance): the
 * document comes from JSON, and anything else would surface later as a TypeError.
 */
export function notJson(v: unknown, path: string, seen: Set<object>, out: DataPathProblem[]): void {
  if (out.length >= 20) return;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) out.push({ path, reason: `is not JSON data (${v})` });
    return;
  }
  if (typeof v !== 'object') {
    out.push({ path, reason: `is not JSON data (a ${typeof v})` });
    return;
  }
  if (seen.has(v)) {
    out.push({ path, reason: 'is not JSON data (it contains itself: a cycle)' });
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
    out.push({ path, reason: `is not JSON data (a ${proto?.constructor?.name ?? 'non-plain'} object)` });
    return;
  }
  seen.add(v);
  if (Array.isArray(v)) v.forEach((x, i) => notJson(x, `${path}[${i}]`, seen, out));
  else for (const [k, x] of Object.entries(v)) notJson(x, `${path}.${k}`, seen, out);
  seen.delete(v);
}

// Kubernetes' label syntax (IsQualifiedName for keys, IsValidLabelValue for values).
export const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !prefix.split('.').every(l => l.length <= 63 && DNS_LABEL.test(l)))) {
    return 'has a prefix that is not a DNS subdomain';
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'must be a Kubernetes label key: 1-63 of A-Z, a-z, 0-9, "-", "_", "." beginning and ending with a letter or digit, with an optional DNS-subdomain prefix and "/"';
  }
  return undefined;
}

/** Checks of single fields: each records a problem and returns a stand-in, so the parse goes on and reports all. */
export class FieldChecker {
  public readonly problems: DataPathProblem[] = [];
  /** Whether IPv6 ranges and addresses are allowed (version 2 and later). */
  protected ipv6 = false;

  protected fail(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }

  protected object(path: string, v: unknown): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(path, `must be an object, got ${v === undefined ? 'nothing' : show(v)}`);
      return undefined;
    }
    return v as Obj;
  }

  protected array(path: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) {
      this.fail(path, `must be an array, got ${v === undefined ? 'nothing' : show(v)}`);
      return [];
    }
    return v;
  }

  protected unknownKeys(path: string, o: Obj, known: string[]): void {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) this.fail(`${path}.${k}`, `unknown field (known: ${known.join(', ')})`);
    }
  }

  /** A DNS-1123 label (zones, gateways, namespaces, Services): what Kubernetes accepts for those names. */
  protected name(path: string, v: unknown): string {
    if (typeof v !== 'string' || v.length > 63 || !DNS_LABEL.test(v)) {
      this.fail(path, `must be a DNS-1123 label (1-63 of a-z, 0-9 and "-", beginning and ending with a letter or digit), got ${show(v)}`);
      return String(v);
    }
    return v;
  }

  /** A DNS-1123 subdomain (NAT pools are named like Calico IPPools): dot-separated labels, at most 253 characters. */
  protected subdomain(path: string, v: unknown): string {
    if (typeof v !== 'string' || v.length > 253 || !v.split('.').every(l => l.length <= 63 && DNS_LABEL.test(l))) {
      this.fail(path, `must be a DNS-1123 subdomain (dot-separated DNS labels, at most 253 characters), got ${show(v)}`);
      return String(v);
    }
    return v;
  }

  protected int(path: string, v: unknown, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(path, `must be an integer in ${min}..${max}, got ${v === undefined ? 'nothing' : show(v)}`);
      return min;
    }
    return v;
  }

  protected bool(path: string, v: unknown): boolean {
    if (typeof v !== 'boolean') {
      this.fail(path, `must be true or false, got ${v === undefined ? 'nothing' : show(v)}`);
      return false;
    }
    return v;
  }

  protected portRange(path: string, v: unknown): string | undefined {
    const m = typeof v === 'string' ? /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v) : typeof v === 'number' && Number.isInteger(v) ? [String(v), String(v)] : null;
    const from = m ? Number(m[1]) : NaN;
    const to = m && m[2] !== undefined ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || from > to) {
      this.fail(path, `must be "port" or "from-to" within 1..65535, got ${show(v)}`);
      return undefined;
    }
    return from === to ? String(from) : `${from}-${to}`;
  }

  protected cidr(path: string, v: unknown, ipv6 = this.ipv6): DocCidr | undefined {
    const c = parseDocCidr(v, ipv6);
    if (typeof c === 'string') {
      this.fail(path, c);
      return undefined;
    }
    return c;
  }

  protected unique(path: string, values: Array<string | number | undefined>, what: string): void {
    const seen = new Set<string | number>();
    for (const v of values) {
      if (v === undefined || v === '') continue;
      if (seen.has(v)) this.fail(path, `duplicate ${what} ${show(v)}`);
      seen.add(v);
    }
  }
}
