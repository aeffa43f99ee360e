/**
 * The L1 constructs' table of invalid inputs (and their valid edge cases) through Calico's own validation:
 * where our constructs and Calico disagree, Calico's answer wins. The agreement is printed for the report.
 */
import { describeWithValidator, toStream, Verdict } from './go-validator';
import { INVALID_L1_CASES, L1Case, VALID_L1_EDGE_CASES } from '../calico/calico-invalid-cases';

interface Judged {
  readonly name: string;
  readonly ours: 'reject' | 'accept';
  readonly oursError?: string;
  /** Calico's verdict; undefined when the input cannot be written as a manifest at all. */
  readonly calico?: Verdict;
  readonly notAManifest?: string;
}

/** Why the manifest cannot carry the input (NaN and Infinity have no JSON form), or undefined. */
function nonJsonValue(value: any, at = ''): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return `${at || 'value'} is ${value}, which JSON cannot carry`;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nonJsonValue(v, at ? `${at}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

function oursOf(c: L1Case): { ours: 'reject' | 'accept'; oursError?: string } {
  try {
    c.build();
    return { ours: 'accept' };
  } catch (e) {
    return { ours: 'reject', oursError: (e as Error).message };
  }
}

/**
 * Inputs where we knowingly differ from Calico, with the reason. Each is checked to still differ, so the list
 * cannot go stale.
 */
const METADATA_GUARD = 'a guard of the library, not a Calico rule: Calico does not look at metadata.namespace; kubectl puts a '
  + 'namespaced object without one into its context namespace and the API server clears the namespace of a cluster-scoped '
  + 'object, so the object would land elsewhere than written (or the namespace would be dropped) without a word';
const TYPE_GUARD = 'a TypeScript/jsii type guard: the value class is required (Python, Java and Go users can pass anything); '
  + 'the manifest the same value renders to is valid';
const KNOWN_DIFFERENCES: { [name: string]: string } = {
  'NP without namespace': METADATA_GUARD,
  'GNP with namespace': METADATA_GUARD,
  'network set namespace': METADATA_GUARD,
  'ip pool with namespace': METADATA_GUARD,
  'protocol not a CalicoProtocol': TYPE_GUARD,
  'port not a CalicoPort': TYPE_GUARD,
};

describeWithValidator('calico', "the L1 constructs' invalid inputs through Calico's own validator", validator => {
  const all: Array<[string, L1Case, boolean]> = [
    ...INVALID_L1_CASES.map(([name, c]) => [name, c, true] as [string, L1Case, boolean]),
    ...VALID_L1_EDGE_CASES.map(([name, c]) => [name, c, false] as [string, L1Case, boolean]),
  ];
  let judged: Judged[] = [];

  beforeAll(() => {
    const manifests: Array<{ name: string; manifest: any }> = [];
    const pending: Array<Omit<Judged, 'calico'> & { at?: number }> = [];
    for (const [name, c] of all) {
      const ours = oursOf(c);
      let manifest: any;
      let notAManifest: string | undefined;
      try {
        manifest = c.manifest();
        notAManifest = nonJsonValue(manifest);
      } catch (e) {
        notAManifest = (e as Error).message;
      }
      pending.push({ name, ...ours, notAManifest, at: notAManifest ? undefined : manifests.length });
      if (!notAManifest) manifests.push({ name, manifest });
    }
    const verdicts = validator().run(toStream(manifests.map(m => m.manifest)), { independent: true });
    expect(verdicts).toHaveLength(manifests.length);
    judged = pending.map(({ at, ...p }) => ({ ...p, calico: at === undefined ? undefined : verdicts[at] }));
  });

  test('every case is judged by Calico (or cannot be written as a manifest)', () => {
    expect(judged).toHaveLength(all.length);
    for (const j of judged) {
      if (j.calico) expect(['accepted', 'rejected']).toContain(j.calico.outcome);
    }
  });

  test('our constructs agree with Calico on every input (Calico wins)', () => {
    const comparable = judged.filter(j => j.calico);
    const rejects = (j: Judged, layer: 'all' | 'validator' | 'crd') => layer === 'all' ? j.calico!.outcome === 'rejected'
      : layer === 'validator' ? j.calico!.validatorError !== undefined : (j.calico!.crdErrors ?? []).length > 0;
    const tally = (layer: 'all' | 'validator' | 'crd') => {
      const bothReject = comparable.filter(j => j.ours === 'reject' && rejects(j, layer)).length;
      const bothAccept = comparable.filter(j => j.ours === 'accept' && !rejects(j, layer)).length;
      const disagree = comparable.length - bothReject - bothAccept;
      return `${bothReject} both reject, ${bothAccept} both accept, ${disagree} disagree `
        + `(${((bothReject + bothAccept) / comparable.length * 100).toFixed(1)}% agreement)`;
    };
    const disagree = comparable.filter(j => (j.ours === 'reject') !== rejects(j, 'all'));
    const unexpected = disagree.filter(j => !(j.name in KNOWN_DIFFERENCES));
    // eslint-disable-next-line no-console
    console.log([
      `Calico agreement on ${comparable.length} inputs (${judged.length - comparable.length} more cannot be written as a manifest):`,
      `  Calico (libcalico-go validator + the CRDs' schema/CEL/metadata checks): ${tally('all')}`,
      `  libcalico-go validator alone: ${tally('validator')}`,
      `  CRD checks alone: ${tally('crd')}`,
      ...disagree.map(j => `  disagree: ${j.name}: ours ${j.ours}${j.oursError ? ` (${j.oursError.split('\n')[0]})` : ''}, Calico ${j.calico!.outcome}`
        + `${j.calico!.error ? ` (${j.calico!.error.replace(/\n/g, ' ')})` : ''}${KNOWN_DIFFERENCES[j.name] ? ` [known: ${KNOWN_DIFFERENCES[j.name]}]` : ''}`),
      ...judged.filter(j => !j.calico).map(j => `  not a manifest: ${j.name}: ${j.notAManifest}`),
    ].join('\n'));
    expect(unexpected.map(j => `${j.name}: ours ${j.ours}, Calico ${j.calico!.outcome} ${j.calico!.error ?? ''}`)).toEqual([]);
    for (const name of Object.keys(KNOWN_DIFFERENCES)) expect(disagree.map(j => j.name)).toContain(name);
  });
});
