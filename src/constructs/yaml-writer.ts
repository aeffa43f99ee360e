/**
 * A fast YAML writer whose output is byte-for-byte what cdk8s writes.
 *
 * Why this is hand-written: cdk8s serialises every manifest with `Yaml.stringify` (the `yaml` package it
 * bundles, YAML 1.1, `lineWidth: 0`, `keepUndefined`), which builds a full document tree per object and is
 * the single biggest cost of synthesizing a large estate. No library emits YAML that is byte-identical to
 * cdk8s's faster (other emitters quote, indent and order differently), and identical bytes are the point:
 * switching writers must not change a single line of anyone's manifests or GitOps diffs.
 *
 * How it stays identical, by construction (scalars in yaml-scalars.ts, the block layout here):
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
import { keyColon, oracle, scalarText } from './yaml-scalars';

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
    for (let i = 0; i < keys.length; i++) {
      const kc = keyColon(keys[i]);
      if (kc === '') return false;
      if (i > 0) this.out += newline(width);
      this.out += kc;
      if (!this.writeValue(obj[keys[i]], width + 2, true)) return false;
    }
    return true;
  }

  /** Writes the items of a non-empty array whose `- ` are indented by `width`. Returns false to fall back. */
  private writeSeq(arr: any[], width: number): boolean {
    const n = arr.length;
    for (let i = 0; i < n; i++) {
      this.out += i > 0 ? newlineDash(width) : '- ';
      // Holes and undefined items are undefined here and fall back like any other unsupported value.
      if (!this.writeValue(arr[i], width + 2, false)) return false;
    }
    return true;
  }

  /**
   * Writes one value after `key:` (`asValue`) or after `- `, its own lines indented by `inner`. Under a key a
   * non-empty collection starts on the next line (a sequence too: yaml's default indentSeq indents it by 2);
   * after `- ` it starts on the same line (`- a: 1`, `- - x`). Returns false to fall back.
   */
  private writeValue(v: unknown, inner: number, asValue: boolean): boolean {
    if (typeof v !== 'object' || v === null) {
      const t = scalarText(v, asValue);
      if (t === '') return false;
      this.out += t;
      return true;
    }
    const kind = this.classify(v);
    if (kind === NOT_PLAIN) return false;
    const keys = kind === MAP ? Object.keys(v) : undefined;
    if (keys ? keys.length === 0 : (v as unknown[]).length === 0) {
      this.out += (asValue ? ' ' : '') + (keys ? '{}' : '[]');
      return true;
    }
    if (asValue) this.out += newline(inner);
    return keys ? this.writeMap(v, keys, inner) : this.writeSeq(v as unknown[], inner);
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
