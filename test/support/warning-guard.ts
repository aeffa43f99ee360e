/**
 * Jest setup (setupFilesAfterEnv): synth warnings never reach stderr during tests. A test that expects some
 * captures and asserts them (test/support/warnings.ts); any other fails the test that printed it (or, printed
 * in beforeAll, the test after it; in afterAll, the file).
 */
import { interceptWarning, takeUncaptured } from './warnings';

const write = process.stderr.write;

process.stderr.write = function guardedWrite(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
  if (typeof chunk === 'string' ? interceptWarning(chunk) : chunk instanceof Uint8Array && interceptWarning(Buffer.from(chunk).toString('utf8'))) {
    return true;
  }
  return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof process.stderr.write;

function failOnUncaptured(): void {
  const warnings = takeUncaptured();
  if (warnings.length > 0) {
    throw new Error(`synth printed ${warnings.length} warning(s) this test does not expect; assert them with expectWarnings() or captureWarnings() from test/support/warnings.ts:\n  ${warnings.join('\n  ')}`);
  }
}

afterEach(failOnUncaptured);
afterAll(() => {
  process.stderr.write = write;
  failOnUncaptured();
});
