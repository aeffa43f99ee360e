/**
 * A fast YAML writer whose output is byte-for-byte what cdk8s writes.
 *
 * Why this is hand-written: cdk8s serialises every manifest with `Yaml.stringify` (the `yaml` package it
 * bundles, YAML 1.1, `lineWidth: 0`, `keepUndefined`), which builds a full document tree per object and is
 * the single biggest cost of synthesizing a large estate. No library emits YAML that is byte-identical to
 * cdk8s's faster (other emitters quote, indent and order differently), and identical bytes are the point:
 * switching writers must not change a single line of anyone's manifests or GitOps diffs.
 *
 * How it stays identical, by construction:
 *  - cdk8s's own serializer (captured at module load, before anyone can swap `Yaml.stringify`) is the oracle
 *    for every scalar decision: how a string or a key is quoted is asked once and cached.
 *  - The hand-written part is only the block layout of maps and sequences, which in `yaml` does not depend on
 *    the values (see `stringifyCollection` / `stringifyPair` in yaml 2.3.2): `key: value`, `key:\n  - item`,
 *    `- a: 1\n  b: 2`, `- - x`, and `{}` / `[]` for empty collections in every position.
 *  - Anything whose text could depend on where it sits, or that `yaml` treats specially, makes the whole
 *    document fall back to cdk8s's serializer: multi-line strings (block scalars depend on indentation),
 *    strings starting with `%`, `---` or `...` (quoted or turned into block scalars only at some indents),
 *    numbers other than safe integers (floats, -0, NaN, infinities), null, undefined, bigint, symbols,
 *    functions, objects that are not plain objects or plain arrays, `toJSON`, the same object twice in one
 *    document (`yaml` writes anchors and aliases), and keys that are not simple one-line implicit keys (for
 *    example `? ` keys over 1024 characters). A fallback is always correct; the fast path is never guessed.
 */
import { Yaml } from 'cdk8s';
import { BoundedMemo } from '../model/bounded-memo';

/** cdk8s's serializer as loaded: the oracle and the fallback, never the writer that may replace it. */
const originalStringify: (...docs: any[]) => string = Yaml.stringify;

function oracle(doc: unknown): string {
  return originalStringify.call(Yaml, doc);
}

/** Counts of documents written by the fast path and by the fallback since the last reset (for tests). */
export interface YamlWriterStats {
  /** Documents written by the hand-written emitter. */
  fast: number;
  /** Documents handed to cdk8s's serializer. */
  fallback: number;
}

const stats: YamlWriterStats = { fast: 0, fallback: 0 };

/** How many documents took the fast path and how many fell back, since `resetYamlWriterStats()`. */
export function yamlWriterStats(): YamlWriterStats {
  return { fast: stats.fast, fallback: stats.fallback };
}

/** Resets the counters of `yamlWriterStats()`. */
export function resetYamlWriterStats(): void {
  stats.fast = 0;
  stats.fallback = 0;
}

// ---------------------------------------------------------------------------------------------------------
// Scalars

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
function keyColon(k: string): string {
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

// ---------------------------------------------------------------------------------------------------------
// Block layout

/** `\n` and an indentation of `width` spaces, by width; the same followed by `- `. */
const newlines: string[] = [];
const newlineDashes: string[] = [];
function newline(width: number): string {
  let s = newlines[width];
  if (s === undefined) {
    s = '\n' + ' '.repeat(width);
    newlines[width] = s;
  }
  return s;
}
function newlineDash(width: number): string {
  let s = newlineDashes[width];
  if (s === undefined) {
    s = newline(width) + '- ';
    newlineDashes[width] = s;
  }
  return s;
}

const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;

/** Collection kinds, for `classify`. */
const NOT_PLAIN = 0;
const MAP = 1;
const SEQ = 2;

/**
 * The text of a scalar: as a map value (with the space after the colon) when `asValue`, else as a sequence
 * item. '' to fall back.
 */
function scalarText(v: unknown, asValue: boolean): string {
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

/** Where `flatten` stores what it reads, so that the read cannot be optimised away. */
const flattenSink = { last: 0 };

/**
 * Makes V8 store `s` as one flat string: reading a character of a rope (a string built by `+=`) flattens it.
 * Done per document while its pieces are young: otherwise millions of small rope nodes stay alive until the
 * documents are joined, get promoted to the old generation and make garbage collection the main cost
 * (measured: about 2x slower on the benchmark estate).
 */
function flatten(s: string): void {
  flattenSink.last = s.charCodeAt(0);
}

/**
 * Writes one document. A fresh writer per document keeps its string and its set young (measured: markedly
 * faster than module-level state, which V8 keeps in the old generation behind write barriers).
 */
class DocumentWriter {
  /** The text so far (one string, appended to). */
  private out = '';
  /** Objects and arrays met so far: meeting one again means yaml would write an anchor and an alias. */
  private readonly seen = new Set<object>();

  /** The fast text of `doc`, or undefined when it must fall back. */
  public write(doc: unknown): string | undefined {
    if (typeof doc !== 'object' || doc === null) return undefined;
    const kind = this.classify(doc);
    if (kind === MAP) {
      const keys = Object.keys(doc);
      if (keys.length === 0) return '{}\n';
      if (!this.writeMap(doc, keys, 0)) return undefined;
    } else if (kind === SEQ) {
      const arr = doc as unknown[];
      if (arr.length === 0) return '[]\n';
      if (!this.writeSeq(arr, 0)) return undefined;
    } else {
      return undefined;
    }
    const text = this.out + '\n';
    flatten(text);
    return text;
  }

  /** Whether `v` (an object, not null) is a plain map or array that yaml writes as such, met once. */
  private classify(v: object): number {
    const seen = this.seen;
    const before = seen.size;
    seen.add(v);
    if (seen.size === before) return NOT_PLAIN;
    if ((v as any).toJSON !== undefined) return NOT_PLAIN;
    const proto = Object.getPrototypeOf(v);
    if (proto === OBJECT_PROTO) return MAP;
    if (proto === ARRAY_PROTO && Array.isArray(v)) return SEQ;
    return NOT_PLAIN;
  }

  /**
   * Writes the pairs of a non-empty map whose lines are indented by `width` (the text so far ends where
   * the first pair starts: after its indentation or after `- `). Returns false to fall back.
   */
  private writeMap(obj: any, keys: string[], width: number): boolean {
    const inner = width + 2;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const kc = keyColon(k);
      if (kc === '') return false;
      if (i > 0) this.out += newline(width);
      this.out += kc;
      const v = obj[k];
      if (typeof v === 'object' && v !== null) {
        const kind = this.classify(v);
        if (kind === MAP) {
          const ks = Object.keys(v);
          if (ks.length === 0) {
            this.out += ' {}';
          } else {
            this.out += newline(inner);
            if (!this.writeMap(v, ks, inner)) return false;
          }
        } else if (kind === SEQ) {
          if (v.length === 0) {
            this.out += ' []';
          } else {
            // yaml's default indentSeq: a sequence under a key is indented by 2 (`key:\n  - item`).
            this.out += newline(inner);
            if (!this.writeSeq(v, inner)) return false;
          }
        } else {
          return false;
        }
      } else {
        const t = scalarText(v, true);
        if (t === '') return false;
        this.out += t;
      }
    }
    return true;
  }

  /** Writes the items of a non-empty array whose `- ` are indented by `width`. Returns false to fall back. */
  private writeSeq(arr: any[], width: number): boolean {
    const inner = width + 2;
    const n = arr.length;
    for (let i = 0; i < n; i++) {
      this.out += i > 0 ? newlineDash(width) : '- ';
      const v = arr[i];
      if (typeof v === 'object' && v !== null) {
        const kind = this.classify(v);
        if (kind === MAP) {
          const ks = Object.keys(v);
          if (ks.length === 0) {
            this.out += '{}';
          } else if (!this.writeMap(v, ks, inner)) {
            return false;
          }
        } else if (kind === SEQ) {
          if (v.length === 0) {
            this.out += '[]';
          } else if (!this.writeSeq(v, inner)) {
            return false;
          }
        } else {
          return false;
        }
      } else {
        // Holes and undefined items are undefined here and fall back like any other unsupported value.
        const t = scalarText(v, false);
        if (t === '') return false;
        this.out += t;
      }
    }
    return true;
  }
}

/**
 * One document as cdk8s's `Yaml.stringify(doc)` writes it, byte for byte. `undefined` is written as
 * `Yaml.stringify(undefined)` would write it (an empty document).
 */
export function stringifyDoc(doc: unknown): string {
  if (doc === undefined) return '\n';
  const fast = new DocumentWriter().write(doc);
  if (fast !== undefined) {
    stats.fast++;
    return fast;
  }
  stats.fallback++;
  return oracle(doc);
}

/** Drop-in for cdk8s's `Yaml.stringify(...docs)`: same documents, same `---` separators, same bytes. */
export function stringifyDocs(...docs: any[]): string {
  let s = '';
  for (let i = 0; i < docs.length; i++) {
    if (i > 0) s += '---\n';
    s += stringifyDoc(docs[i]);
  }
  return s;
}
