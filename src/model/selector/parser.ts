/**
 * Recursive-descent parser for Calico selectors, following
 * libcalico-go/lib/selector/parser/parser.go token for token:
 *
 *   selector  := <empty> | or-expr
 *   or-expr   := and-expr ("||" and-expr)*        -> one operand: no OR node
 *   and-expr  := operation ("&&" operation)*      -> one operand: no AND node
 *   operation := "!"* ( has(k) | all() | global() | "(" or-expr ")"
 *                     | k ("=="|"!="|contains|starts with|ends with) string
 *                     | k ("in"|"not in") "{" [string ("," string)* [","]] "}" )
 *
 * Calico quirks kept on purpose: a run of "!" collapses to one or none (`!!x` is `x`);
 * parentheses leave no node behind; a trailing comma in a set is allowed (`{"a",}`);
 * the empty (or blank) selector is `all()`.
 */
import { AllNode, BooleanNode, GlobalNode, HasNode, LabelSetNode, LabelValueNode, NotNode, SelectorNode, toStringSet, ValueOperator } from './ast';
import { SelectorParseError } from './parse-error';
import { SelectorSyntaxProblem, Token, TokenKind, TOKEN_DESCRIPTIONS, tokenize } from './tokenizer';

const VALUE_OPERATORS: { [kind: number]: ValueOperator | undefined } = {
  [TokenKind.EQ]: ValueOperator.EQ,
  [TokenKind.NE]: ValueOperator.NE,
  [TokenKind.CONTAINS]: ValueOperator.CONTAINS,
  [TokenKind.STARTS_WITH]: ValueOperator.STARTS_WITH,
  [TokenKind.ENDS_WITH]: ValueOperator.ENDS_WITH,
};

const TERM = 'a selector term (label, has(…), all(), global(), "!" or "(")';

/** Parses one selector; a fresh instance per call, so nothing is shared between parses. */
class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  public parseRoot(): SelectorNode {
    if (this.tokens[0].kind === TokenKind.EOF) return new AllNode();
    const node = this.parseOr();
    const next = this.tokens[this.i];
    if (next.kind !== TokenKind.EOF) throw this.problem(next, '"&&", "||" or the end of the selector');
    return node;
  }

  // The two precedence levels of the binary operators: "||" of "&&" chains, "&&" of operations.
  private parseOr(): SelectorNode {
    return this.parseChain(TokenKind.OR, () => this.parseAnd());
  }

  private parseAnd(): SelectorNode {
    return this.parseChain(TokenKind.AND, () => this.parseOperation());
  }

  /** `operand (op operand)*`, one BooleanNode for two or more operands. */
  private parseChain(op: TokenKind.AND | TokenKind.OR, operand: () => SelectorNode): SelectorNode {
    const first = operand();
    if (this.tokens[this.i].kind !== op) return first;
    const operands = [first];
    while (this.tokens[this.i].kind === op) {
      this.i++;
      operands.push(operand());
    }
    return new BooleanNode(op === TokenKind.AND, operands);
  }

  private parseOperation(): SelectorNode {
    const tokens = this.tokens;
    let negated = false;
    while (tokens[this.i].kind === TokenKind.NOT) {
      negated = !negated;
      this.i++;
    }
    const tok = tokens[this.i];
    let node: SelectorNode;
    switch (tok.kind) {
      case TokenKind.HAS:
        node = new HasNode(tok.value);
        this.i++;
        break;
      case TokenKind.ALL:
        node = new AllNode();
        this.i++;
        break;
      case TokenKind.GLOBAL:
        node = new GlobalNode();
        this.i++;
        break;
      case TokenKind.LABEL:
        node = this.parseLabelOperation(tok);
        break;
      case TokenKind.LPAREN:
        this.i++;
        node = this.parseOr();
        if (tokens[this.i].kind !== TokenKind.RPAREN) throw this.problem(tokens[this.i], '")" (or "&&", "||")');
        this.i++;
        break;
      default:
        throw this.problem(tok, TERM);
    }
    return negated ? new NotNode(node) : node;
  }

  private parseLabelOperation(label: Token): SelectorNode {
    const tokens = this.tokens;
    const opTok = tokens[this.i + 1];
    const valueOp = VALUE_OPERATORS[opTok.kind];
    if (valueOp !== undefined) {
      const lit = tokens[this.i + 2];
      if (lit.kind !== TokenKind.STRING) throw this.problem(lit, `a quoted string after ${TOKEN_DESCRIPTIONS[opTok.kind]}`);
      this.i += 3;
      return new LabelValueNode(label.value, valueOp, lit.value);
    }
    if (opTok.kind !== TokenKind.IN && opTok.kind !== TokenKind.NOT_IN) {
      throw this.problem(opTok, `an operator after label "${label.value}" (==, !=, in, not in, contains, starts with, ends with)`);
    }
    const brace = tokens[this.i + 2];
    if (brace.kind !== TokenKind.LBRACE) throw this.problem(brace, `a set literal {"…", …} after ${TOKEN_DESCRIPTIONS[opTok.kind]}`);
    this.i += 3;
    const values: string[] = [];
    while (tokens[this.i].kind === TokenKind.STRING) {
      values.push(tokens[this.i].value);
      this.i++;
      if (tokens[this.i].kind !== TokenKind.COMMA) break;
      this.i++;
    }
    if (tokens[this.i].kind !== TokenKind.RBRACE) throw this.problem(tokens[this.i], values.length === 0 ? 'a quoted string or "}"' : '"," or "}"');
    this.i++;
    return new LabelSetNode(label.value, opTok.kind === TokenKind.NOT_IN, toStringSet(values));
  }

  private problem(tok: Token, expected: string): SelectorSyntaxProblem {
    const found = tok.kind === TokenKind.EOF ? 'the end of the selector'
      : tok.kind === TokenKind.LABEL ? `label "${tok.value}"`
        : tok.kind === TokenKind.STRING ? 'a string'
          : TOKEN_DESCRIPTIONS[tok.kind];
    return new SelectorSyntaxProblem(tok.pos, `${expected}, found ${found}`);
  }
}

/**
 * Parses Calico selector text into its AST.
 * @throws SelectorParseError for any input Calico rejects
 */
export function parseSelector(text: string): SelectorNode {
  try {
    return new Parser(tokenize(text)).parseRoot();
  } catch (e) {
    if (e instanceof SelectorSyntaxProblem) throw new SelectorParseError(text, e.pos, e.expected);
    // Pathological nesting; Go's growable stacks would cope, ours would not.
    if (e instanceof RangeError) throw new SelectorParseError(text, 0, 'a selector nested less deeply (too many parentheses or "!")');
    throw e;
  }
}
