// Public surface of the selector module: only `Selector`. The tokenizer, parser, AST and
// SelectorParseError stay internal (import them from their files inside the package).
export { Selector } from './selector';
