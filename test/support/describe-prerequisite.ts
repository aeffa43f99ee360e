/**
 * A suite that needs something of the machine (tools, root, network namespaces): `describe` when `why` is empty;
 * otherwise a skip with the reason, except under CI (which has every prerequisite: .ci/run), where it fails.
 */
export function describeUnlessMissing(name: string, why: string | undefined, fn: () => void): void {
  if (!why) {
    describe(name, fn);
  } else if (process.env.CI) {
    describe(name, () => test(`prerequisites (${why})`, () => {
      throw new Error(`${name}: ${why}; CI must run this check`);
    }));
  } else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED ${name}: ${why}`);
    describe.skip(name, fn);
  }
}
