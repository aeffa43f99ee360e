import * as fs from 'fs';

/**
 * `describe` for tests that need third-party reference data from `../shared`: skipped with a console
 * message when the folder is absent, but failing when `CI` is set (CI must never skip schema validation).
 */
export function describeWithReference(what: string, dir: string, name: string, fn: () => void): void {
  if (fs.existsSync(dir)) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      test(`${what} are present (required in CI)`, () => {
        throw new Error(`${what} not found at ${dir}; CI must validate against them`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.log(`Skipping "${name}": ${what} not found at ${dir}`);
  describe.skip(name, fn);
}
