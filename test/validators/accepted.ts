/** The one check the validator suites share: every object of ours in the outputs is judged, and accepted. */
import { Output } from './estates';
import { BuiltValidator } from './go-validator';

/**
 * Runs the validator on each output; every object whose apiVersion is ours must have a verdict, in order, and be
 * accepted (the others are the program's `ignored` outcome). Returns how many objects of each kind were accepted.
 */
export function expectAccepted(validator: BuiltValidator, outputs: Output[], ours: RegExp, ignored: string): { [kind: string]: number } {
  const counts: { [kind: string]: number } = {};
  const rejected: string[] = [];
  for (const out of outputs) {
    const verdicts = validator.run(out.yaml);
    expect(verdicts).toHaveLength(out.objects.length);
    const judged = verdicts.filter(v => v.outcome !== ignored);
    expect(judged.map(v => `${v.kind}/${v.name}`)).toEqual(out.objects.filter(o => ours.test(o.apiVersion)).map(o => `${o.kind}/${o.metadata.name}`));
    for (const v of judged) {
      counts[v.kind] = (counts[v.kind] ?? 0) + 1;
      if (v.outcome !== 'accepted') rejected.push(`${out.label}: ${v.kind} ${v.name}: ${v.outcome} ${v.error ?? ''}`);
    }
  }
  expect(rejected).toEqual([]);
  return counts;
}
