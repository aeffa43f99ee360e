/**
 * Tokenizer for Calico's label-selector language.
 *
 * Hand-written: no maintained JS library implements Calico's grammar, and it has
 * quirks a generic lexer would get wrong. This follows
 * projectcalico/calico libcalico-go/lib/selector/tokenizer/tokenizer.go (the
 * version with word-boundary checks and the 512-character label limit):
 *
 * - whitespace is only space and tab (a newline outside a string is an error);
 * - strings are '…' or "…" with no escapes: they end at the next matching quote;
 * - a label (identifier) is 1-512 characters of [a-zA-Z0-9_./-], so prefixes such as
 *   `projectcalico.org/name` are one label, and labels may start with a digit or `-`;
 * - `contains`, `starts with`, `ends with`, `in`, `not in` are operators only right
 *   after a label (so `contains contains "x"` is valid), must end at a word boundary,
 *   and the two-word ones may be written without the space (`startswith`, `notin`);
 * - `has(`, `all(` and `global(` must be written without a space before the `(`.
 *
 * Single pass over char codes; no regular expressions (parse speed matters).
 */

/** Token kinds, in Calico's order. */
export enum TokenKind {
  LABEL,
  STRING,
  LBRACE,
  RBRACE,
  COMMA,
  EQ,
  NE,
  IN,
  NOT,
  NOT_IN,
  CONTAINS,
  STARTS_WITH,
  ENDS_WITH,
  ALL,
  HAS,
  LPAREN,
  RPAREN,
  AND,
  OR,
  GLOBAL,
  EOF,
}

/** How each kind reads in an error message. */
export const TOKEN_DESCRIPTIONS: readonly string[] = [
  'label', 'string', '"{"', '"}"', '","', '"=="', '"!="', '"in"', '"!"', '"not in"',
  '"contains"', '"starts with"', '"ends with"', '"all()"', '"has()"', '"("', '")"', '"&&"', '"||"', '"global()"', 'end of selector',
];

/** One token: its kind, its text (labels and strings only) and its 0-based offset in the input. */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly pos: number;
}

/** Calico's limit on the length of a label name in a selector. */
export const MAX_LABEL_LENGTH = 512;

/** A tokenizer or parser failure at a position, before it is dressed up for the user. */
export class SelectorSyntaxProblem {
  constructor(public readonly pos: number, public readonly expected: string) {}
}

const SPACE = 0x20;
const TAB = 0x09;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/** Whether `c` may appear in a label name: [a-zA-Z0-9_./-]. */
export function isIdentifierChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) // a-z
    || (c >= 0x41 && c <= 0x5a) // A-Z
    || (c >= 0x30 && c <= 0x39) // 0-9
    || c === 0x5f || c === 0x2e || c === 0x2f || c === 0x2d; // _ . / -
}

/** Whether `key` is a label name Calico's tokenizer accepts as one label (Calico's `ValidLabel`). */
export function isValidLabelName(key: string): boolean {
  if (key.length === 0 || key.length > MAX_LABEL_LENGTH) return false;
  for (let i = 0; i < key.length; i++) {
    if (!isIdentifierChar(key.charCodeAt(i))) return false;
  }
  return true;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

function startsWithAt(text: string, i: number, word: string): boolean {
  return text.startsWith(word, i);
}

/** End of the identifier starting at `i` (== i when there is none). */
function identifierEnd(text: string, i: number): number {
  while (i < text.length && isIdentifierChar(text.charCodeAt(i))) i++;
  return i;
}

function atWordBoundary(text: string, i: number): boolean {
  return i >= text.length || !isIdentifierChar(text.charCodeAt(i));
}

/**
 * Matches `words` at `i`, allowing spaces/tabs (or nothing) between them, and requiring a
 * word boundary after the last. Returns the end offset, or -1.
 */
function matchOperatorWords(text: string, i: number, words: readonly string[]): number {
  let j = i;
  for (let w = 0; w < words.length; w++) {
    if (!startsWithAt(text, j, words[w])) return -1;
    j += words[w].length;
    if (w < words.length - 1) j = skipWhitespace(text, j);
  }
  return atWordBoundary(text, j) ? j : -1;
}

const OPERATOR_WORDS: ReadonlyArray<readonly [readonly string[], TokenKind]> = [
  [['contains'], TokenKind.CONTAINS],
  [['starts', 'with'], TokenKind.STARTS_WITH],
  [['ends', 'with'], TokenKind.ENDS_WITH],
  [['not', 'in'], TokenKind.NOT_IN],
  [['in'], TokenKind.IN],
];

const NULLARY_FUNCTIONS: ReadonlyArray<readonly [string, TokenKind]> = [['all(', TokenKind.ALL], ['global(', TokenKind.GLOBAL]];

/** Reads a label at `i`; throws where Calico would ("expected identifier", "label too long"). */
function readLabel(text: string, i: number): string {
  const end = identifierEnd(text, i);
  if (end === i) throw new SelectorSyntaxProblem(i, 'a label name ([a-zA-Z0-9_./-])');
  if (end - i > MAX_LABEL_LENGTH) throw new SelectorSyntaxProblem(i, `a label name of at most ${MAX_LABEL_LENGTH} characters`);
  return text.slice(i, end);
}

/**
 * Splits `text` into tokens ending with an EOF token.
 * @throws SelectorSyntaxProblem where Calico's tokenizer fails
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= n) {
      tokens.push({ kind: TokenKind.EOF, value: '', pos: n });
      return tokens;
    }
    const start = i;
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x28: // (
        tokens.push({ kind: TokenKind.LPAREN, value: '', pos: start });
        i++;
        break;
      case 0x29: // )
        tokens.push({ kind: TokenKind.RPAREN, value: '', pos: start });
        i++;
        break;
      case DQUOTE:
      case SQUOTE: {
        const close = text.indexOf(c === DQUOTE ? '"' : "'", i + 1);
        if (close < 0) throw new SelectorSyntaxProblem(start, `a closing ${c === DQUOTE ? '"' : "'"} for this string (unterminated string)`);
        tokens.push({ kind: TokenKind.STRING, value: text.slice(i + 1, close), pos: start });
        i = close + 1;
        break;
      }
      case 0x7b: // {
        tokens.push({ kind: TokenKind.LBRACE, value: '', pos: start });
        i++;
        break;
      case 0x7d: // }
        tokens.push({ kind: TokenKind.RBRACE, value: '', pos: start });
        i++;
        break;
      case 0x2c: // ,
        tokens.push({ kind: TokenKind.COMMA, value: '', pos: start });
        i++;
        break;
      case 0x3d: // =
        if (text.charCodeAt(i + 1) !== 0x3d) throw new SelectorSyntaxProblem(start, '"==" (a single "=" is not an operator)');
        tokens.push({ kind: TokenKind.EQ, value: '', pos: start });
        i += 2;
        break;
      case 0x21: // !
        if (text.charCodeAt(i + 1) === 0x3d) {
          tokens.push({ kind: TokenKind.NE, value: '', pos: start });
          i += 2;
        } else {
          tokens.push({ kind: TokenKind.NOT, value: '', pos: start });
          i++;
        }
        break;
      case 0x26: // &
        if (text.charCodeAt(i + 1) !== 0x26) throw new SelectorSyntaxProblem(start, '"&&"');
        tokens.push({ kind: TokenKind.AND, value: '', pos: start });
        i += 2;
        break;
      case 0x7c: // |
        if (text.charCodeAt(i + 1) !== 0x7c) throw new SelectorSyntaxProblem(start, '"||"');
        tokens.push({ kind: TokenKind.OR, value: '', pos: start });
        i += 2;
        break;
      default:
        i = readWord(text, i, tokens);
    }
  }
}

/** Operators after a label; `has(`/`all(`/`global(`; or a label. Returns the new offset. */
function readWord(text: string, i: number, tokens: Token[]): number {
  const start = i;
  const last = tokens.length > 0 ? tokens[tokens.length - 1] : undefined;
  if (last && last.kind === TokenKind.LABEL) {
    // Right after a label only an operator may follow.
    for (const [words, kind] of OPERATOR_WORDS) {
      const end = matchOperatorWords(text, i, words);
      if (end >= 0) {
        tokens.push({ kind, value: '', pos: start });
        return end;
      }
    }
    throw new SelectorSyntaxProblem(start, `an operator after label "${last.value}" (==, !=, in, not in, contains, starts with, ends with)`);
  }
  if (startsWithAt(text, i, 'has(')) {
    i = skipWhitespace(text, i + 4);
    const label = readLabel(text, i);
    i = skipWhitespace(text, i + label.length);
    if (text.charCodeAt(i) !== 0x29) throw new SelectorSyntaxProblem(i, `")" to close "has(${label}"`);
    tokens.push({ kind: TokenKind.HAS, value: label, pos: start });
    return i + 1;
  }
  for (const [word, kind] of NULLARY_FUNCTIONS) {
    if (startsWithAt(text, i, word)) {
      i = skipWhitespace(text, i + word.length);
      if (text.charCodeAt(i) !== 0x29) throw new SelectorSyntaxProblem(i, `")" to close "${word}"`);
      tokens.push({ kind, value: '', pos: start });
      return i + 1;
    }
  }
  const c = text.charCodeAt(i);
  if (!isIdentifierChar(c)) {
    throw new SelectorSyntaxProblem(start, `a label, string, operator or parenthesis, found unexpected character ${JSON.stringify(text.charAt(i))}`);
  }
  const label = readLabel(text, i);
  tokens.push({ kind: TokenKind.LABEL, value: label, pos: start });
  return i + label.length;
}
