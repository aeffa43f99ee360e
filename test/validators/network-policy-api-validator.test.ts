/**
 * Every ClusterNetworkPolicy the library writes is decoded strictly (unknown and duplicate fields are errors) with
 * the Go types of the network-policy-api release we follow (test/validators/network-policy-api, go.mod pins it).
 */
import { Testing } from 'cdk8s';
import { EVERY_FEATURE_WARNING, everyFeatureOutput } from './cluster-network-policy-estate';
import { exampleOutput, meaningEstateOutputs, Output, randomEstateOutputs } from './estates';
import { describeWithValidator, toStream } from './go-validator';
import { chartFor } from '../meaning/support';

const GROUP = 'policy.networking.k8s.io/';
const BACKEND = 'cluster-network-policy';

describeWithValidator('network-policy-api', 'network-policy-api\'s Go types decode every ClusterNetworkPolicy the library writes', validator => {
  function expectAccepted(outputs: Output[]): number {
    let count = 0;
    const rejected: string[] = [];
    for (const out of outputs) {
      const verdicts = validator().run(out.yaml);
      expect(verdicts).toHaveLength(out.objects.length);
      const ours = verdicts.filter(v => v.outcome !== 'not-network-policy-api');
      expect(ours.map(v => `${v.kind}/${v.name}`)).toEqual(out.objects.filter(o => o.apiVersion.startsWith(GROUP)).map(o => `${o.kind}/${o.metadata.name}`));
      for (const v of ours) {
        count++;
        if (v.outcome !== 'accepted') rejected.push(`${out.label}: ${v.kind} ${v.name}: ${v.outcome} ${v.error ?? ''}`);
      }
    }
    expect(rejected).toEqual([]);
    return count;
  }

  test('the example, BACKEND=cluster-network-policy', () => {
    // payments, batch, partners and locked pass in-cluster traffic on: an Admin and a Baseline policy each; the mesh
    // zone checkout and its egress waypoint allow in-cluster traffic: an Admin policy each.
    expect(expectAccepted([exampleOutput(BACKEND)])).toBe(10);
  });

  test('every feature of the backend once, domain names included', () => {
    const out = everyFeatureOutput();
    expect(out.warnings).toEqual([expect.stringMatching(EVERY_FEATURE_WARNING)]);
    expect(expectAccepted([out])).toBe(5);
  });

  test('the meaning suite\'s estates', () => {
    const outputs = meaningEstateOutputs(BACKEND);
    expect(outputs.length).toBeGreaterThanOrEqual(10);
    expect(expectAccepted(outputs)).toBeGreaterThanOrEqual(outputs.length);
  }, 300_000);

  test('40 random estates (seeded)', () => {
    const count = expectAccepted(randomEstateOutputs(40, [BACKEND]));
    // eslint-disable-next-line no-console
    console.log(`network-policy-api decoded ${count} ClusterNetworkPolicies from 40 random estates`);
    expect(count).toBeGreaterThanOrEqual(60);
  }, 600_000);

  test('the check is real: broken copies are rejected with the decoder\'s reasons, other groups ignored', () => {
    const cnp = everyFeatureOutput().objects.find(o => o.kind === 'ClusterNetworkPolicy');
    const unknownField = { ...cnp, spec: { ...cnp.spec, egresss: [] } };
    const wrongType = { ...cnp, spec: { ...cnp.spec, priority: '100' } };
    const unknownVersion = { ...cnp, apiVersion: 'policy.networking.k8s.io/v1alpha1' };
    const alpha2 = { ...cnp, apiVersion: 'policy.networking.k8s.io/v1alpha2' };
    const other = Testing.synth(chartFor('kubernetes').chart);
    const verdicts = validator().run(toStream([unknownField, wrongType, unknownVersion, alpha2, ...other, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }]));
    expect(verdicts.map(v => v.outcome)).toEqual(['rejected', 'rejected', 'unsupported-kind', 'accepted', ...other.map(() => 'not-network-policy-api'), 'not-network-policy-api']);
    expect(verdicts[0].error).toMatch(/unknown field "spec.egresss"/);
    expect(verdicts[1].error).toMatch(/priority/);
  });
});
