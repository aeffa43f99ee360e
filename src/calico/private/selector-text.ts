import { BoundedMemo } from '../../model/bounded-memo';
import { EgressValidationError } from '../../model/errors';
import { Selector } from '../../model/selector';

/** Calico's CRDs cap every selector at 1024 characters. */
const MAX_SELECTOR_LENGTH = 1024;

// Policies repeat the same selector texts (one per destination set, the DNS and namespace selectors of
// every zone): each text is parsed once. Selectors are immutable, so sharing them is safe; errors are not
// cached. Bounded, so a long-running process does not keep every text it ever saw.
const PARSED = new BoundedMemo<string, Selector>(50_000);

/** Whether `text` is a selector text already found valid (the cheap test in front of validateSelectorText). */
export function knownSelector(text: string): boolean {
  return PARSED.get(text) !== undefined;
}

/**
 * Parses a selector field with Calico's grammar, re-throwing a parse error at `field` of the
 * construct at `path` (the message keeps the position and what was expected).
 */
export function validateSelectorText(text: string, field: string, path: string): Selector {
  if (typeof text !== 'string') throw new EgressValidationError(field, text, 'is not a string', path);
  if (text.length > MAX_SELECTOR_LENGTH) {
    throw new EgressValidationError(field, `${text.slice(0, 40)}...`, `is longer than Calico's ${MAX_SELECTOR_LENGTH} characters for a selector`, path);
  }
  const known = PARSED.get(text);
  if (known) return known;
  try {
    const selector = Selector.parse(text);
    return PARSED.set(text, selector);
  } catch (e) {
    if (e instanceof EgressValidationError) {
      throw new EgressValidationError(field, text, e.reason, path, e.hint);
    }
    throw e;
  }
}
