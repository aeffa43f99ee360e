/**
 * The guard of test/support/warning-guard.ts: a synth warning no test captured is held for the guard (which
 * fails the test with it) and never reaches stderr; a captured one goes to the capture only.
 */
import { Testing } from 'cdk8s';
import { EgressZone } from '../../src';
import { captureWarnings, interceptWarning, takeUncaptured } from '../support/warnings';

/** Two zones on the same namespace: synth warns that they may select the same pods. */
function overlappingZones() {
  const chart = Testing.chart();
  new EgressZone(chart, 'a', { namespaces: ['shop'] });
  new EgressZone(chart, 'b', { namespaces: ['shop'] });
  return chart;
}
const OVERLAP = /^egress backends test\/[ab]: zones "a" and "b" may select the same pods/;

test('a warning outside any capture is held for the guard, not printed', () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write');
  try {
    Testing.synth(overlappingZones());
    written.push(...spy.mock.calls.map(c => String(c[0])));
  } finally {
    spy.mockRestore();
  }
  const held = takeUncaptured();
  expect(held).toEqual([expect.stringMatching(OVERLAP)]);
  // The spy saw the call; the guard's write underneath took it (it reached no stream).
  expect(written).toEqual([`[cdk8s-egress] ${held[0]}\n`]);
});

test('a captured warning goes to its capture only', () => {
  const { warnings } = captureWarnings(() => Testing.synth(overlappingZones()));
  expect(warnings).toEqual([expect.stringMatching(OVERLAP)]);
  expect(takeUncaptured()).toEqual([]);
});

test('other stderr text is not a warning', () => {
  expect(interceptWarning('some other line\n')).toBe(false);
  expect(interceptWarning('[cdk8s-egress] egress review x: y\n')).toBe(true);
  expect(takeUncaptured()).toEqual(['egress review x: y']);
});
