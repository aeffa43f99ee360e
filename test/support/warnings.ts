/**
 * Synth warnings in tests. Synth prints each warning to stderr as one line, "[cdk8s-egress] <emitter> <path>:
 * <message>" (src/synth/synth-reporter.ts). test/support/warning-guard.ts (jest setup) takes those lines off
 * stderr: a test that expects warnings captures them here and asserts them; a warning no test captured fails the
 * test that caused it, so a new one stands out instead of scrolling past.
 */

const PREFIX = '[cdk8s-egress] ';

/** Warnings no capture took, in order (the guard fails the test with them). */
const uncaptured: string[] = [];
/** Open captures, innermost last. */
const captures: string[][] = [];

/** Takes a synth warning line off stderr; false for any other text (which is written as usual). */
export function interceptWarning(text: string): boolean {
  if (!text.startsWith(PREFIX)) return false;
  for (const line of text.split('\n').filter(l => l !== '')) {
    (captures[captures.length - 1] ?? uncaptured).push(line.startsWith(PREFIX) ? line.slice(PREFIX.length) : line);
  }
  return true;
}

/** The warnings no capture took since the last call. */
export function takeUncaptured(): string[] {
  return uncaptured.splice(0);
}

/** Runs `fn` (usually a synth) and returns what it returned with the warnings it printed, "<emitter> <path>: <message>". */
export function captureWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const warnings: string[] = [];
  captures.push(warnings);
  try {
    return { result: fn(), warnings };
  } finally {
    captures.splice(captures.lastIndexOf(warnings), 1);
  }
}

/** Runs `fn` and asserts it printed exactly these warnings, in order (a string is the whole warning, a RegExp matches it). */
export function expectWarnings<T>(expected: (string | RegExp)[], fn: () => T): T {
  const { result, warnings } = captureWarnings(fn);
  expect(warnings).toEqual(expected.map(e => (typeof e === 'string' ? e : expect.stringMatching(e))));
  return result;
}
