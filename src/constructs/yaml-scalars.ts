// The scalar half of the YAML writer (yaml-writer.ts): how a string, number or key is written, asked of
// cdk8s's own serializer and cached. Apart from the block layout because it is a concept of its own: the
// oracle, its caches and the shapes accepted without asking it.
import { Yaml } from 'cdk8s';
import { BoundedMemo } from '../model/bounded-memo';

/** cdk8s's serializer as loaded: the oracle and the fallback, never the writer that may replace it. */
const originalStringify: (...docs: any[]) => string = Yaml.stringify;

export function oracle(doc: unknown): string {
  return originalStringify.call(Yaml, doc);
}

/** A string's text as a sequence item (`item`) and as a map value, after the key's colon (`value`). */
interface ValueText {
  readonly item: string;
  readonly value: string;
}
/** Cached texts; `NO_TEXT` means "not on the fast path". Keys are cached with their colon (`key:`). */
const NO_TEXT: ValueText = { item: '', value: '' };
/** Bound on each cache, so a long-running process synthesizing many apps does not grow without limit. */
const CACHE_LIMIT = 250_000;
const valueCache = new BoundedMemo<string, ValueText>(CACHE_LIMIT);
const keyCache = new BoundedMemo<string, string>(CACHE_LIMIT);

/**
 * Cheap fast-accept shapes (each proved equal to the oracle by test/synth/yaml-writer.test.ts), written plain
 * in every position:
 *  - words that start with a letter, of letters, digits, `_ . / -` and inner spaces (names, label keys and
 *    values, descriptions), except the YAML 1.1 bool/null words, which `BOOL_NULL_WORDS` sends to the oracle
 *    (case-insensitively, which is stricter than yaml: `n`, `No`, `oFF` are all booleans in its 1.1 schema),
 *    and `e5`-like words, which yaml 1.1 reads as floats (found by the differential test);
 *  - dotted-quad IPv4 CIDRs (`10.0.0.0/24`) and IPv6 CIDRs (`2001:db8::/32`; the `/` keeps them from reading
 *    as YAML 1.1 sexagesimal numbers).
 * Keys must also be at most 1024 characters (longer implicit keys become `? ` explicit keys).
 */
const SAFE_PLAIN = new RegExp('^(?:'
  + '[A-Za-z](?:[A-Za-z0-9 _./-]*[A-Za-z0-9_./-])?'
  + '|\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}/\\d{1,2}'
  + '|[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4})+/\\d{1,3}'
  + ')$');
const BOOL_NULL_WORDS = new Set(['y', 'yes', 'n', 'no', 'true', 'false', 'on', 'off', 'null']);
/** yaml treats these specially at some indents only (`containsDocumentMarker` in stringifyString). */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;
/** Longest implicit key yaml writes (stringifyPair); the fast-accepted shapes are written as they are. */
const MAX_IMPLICIT_KEY = 1024;

/** yaml 1.1's float pattern has an optional mantissa: `e5`, `E-3` are floats. */
const EXPONENT_ONLY = /^[eE][-+]?[0-9]+$/;

function fastAccept(s: string): boolean {
  return SAFE_PLAIN.test(s) && (s.length > 5 || !BOOL_NULL_WORDS.has(s.toLowerCase())) && !EXPONENT_ONLY.test(s);
}

/** The single-line text of a string as a block map value or sequence item, or '' to fall back. */
function computeValueRep(s: string): string {
  if (fastAccept(s)) return s;
  if (s.indexOf('\n') !== -1 || DOCUMENT_MARKER.test(s)) return '';
  // As a top-level document the string is written with the same text as inside a block collection, as
  // long as it is one line and does not start with a document marker (excluded above).
  const text = oracle(s);
  const nl = text.indexOf('\n');
  return nl > 0 && nl === text.length - 1 ? text.slice(0, nl) : '';
}

/** The text of a string as an implicit block map key, or '' to fall back. */
function computeKeyRep(k: string): string {
  if (k.length <= MAX_IMPLICIT_KEY && fastAccept(k)) return k;
  // At the first level, yaml quotes keys with a document marker that it writes plain deeper down.
  if (DOCUMENT_MARKER.test(k)) return '';
  const text = oracle({ [k]: 0 });
  if (!text.endsWith(': 0\n')) return '';
  const rep = text.slice(0, text.length - 4);
  return rep.length > 0 && rep.indexOf('\n') === -1 && !rep.startsWith('? ') ? rep : '';
}

function valueText(s: string): ValueText {
  const known = valueCache.get(s);
  if (known !== undefined) return known;
  const rep = computeValueRep(s);
  return valueCache.set(s, rep === '' ? NO_TEXT : { item: rep, value: ' ' + rep });
}

/** `key:`, or '' to fall back. */
export function keyColon(k: string): string {
  const known = keyCache.get(k);
  if (known !== undefined) return known;
  const rep = computeKeyRep(k);
  return keyCache.set(k, rep === '' ? '' : rep + ':');
}

/** Texts of small non-negative integers (ports, orders, counts), as items and as values. */
const SMALL_INT_LIMIT = 65536;
const smallIntItems: string[] = [];
const smallIntValues: string[] = [];
function smallIntText(v: number, asValue: boolean): string {
  let t = asValue ? smallIntValues[v] : smallIntItems[v];
  if (t === undefined) {
    smallIntItems[v] = '' + v;
    smallIntValues[v] = ' ' + v;
    t = asValue ? smallIntValues[v] : smallIntItems[v];
  }
  return t;
}

/**
 * The text of a scalar: as a map value (with the space after the colon) when `asValue`, else as a sequence
 * item. '' to fall back.
 */
export function scalarText(v: unknown, asValue: boolean): string {
  switch (typeof v) {
    case 'string': {
      const t = valueText(v);
      return asValue ? t.value : t.item;
    }
    case 'number':
      // Safe integers are written as JSON.stringify writes them. -0 (which yaml writes `0`) falls back
      // anyway, like every other number: floats, NaN, infinities, unsafe integers.
      if (!Number.isSafeInteger(v) || (v === 0 && 1 / v < 0)) return '';
      if (v >= 0 && v < SMALL_INT_LIMIT) return smallIntText(v, asValue);
      return asValue ? ' ' + v : '' + v;
    case 'boolean':
      return asValue ? (v ? ' true' : ' false') : (v ? 'true' : 'false');
    default:
      return '';
  }
}
