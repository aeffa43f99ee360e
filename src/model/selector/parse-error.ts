import { EgressValidationError } from '../errors';

/** Replaces characters that would break the caret alignment (tabs, newlines) with spaces. */
function displayable(text: string): string {
  return text.replace(/[\t\n\r\v\f]/g, ' ');
}

/**
 * A selector that Calico would reject. Not exported from the package root.
 *
 * Extends EgressValidationError so constructs can re-locate it at a construct path
 * (`locate()`); the message carries the position and a caret line:
 *
 *   selector "a == b" is not a valid Calico selector: expected a quoted string at position 5
 *     a == b
 *          ^
 */
export class SelectorParseError extends EgressValidationError {
  /** The selector text as given. */
  public readonly text: string;
  /** 0-based offset (UTF-16 units) where parsing failed. */
  public readonly position: number;
  /** What the parser expected at `position`. */
  public readonly expected: string;

  constructor(text: string, position: number, expected: string) {
    super('selector', text, `is not a valid Calico selector: expected ${expected} at position ${position}\n  ${displayable(text)}\n  ${' '.repeat(position)}^`);
    this.name = 'SelectorParseError';
    this.text = text;
    this.position = position;
    this.expected = expected;
  }
}
