/**
 * Every CiliumClusterwideNetworkPolicy and CiliumEgressGatewayPolicy the library writes goes through Cilium's
 * own checks (test/validators/cilium: the agent's CNP/CCNP validator and Parse()/Sanitize(), and the egress
 * gateway manager's ParseCEGP) and must be accepted.
 */
import { BACKENDS, exampleOutput, meaningEstateOutputs, Output, packetEstateOutput, randomEstateOutputs } from './estates';
import { describeWithValidator, toStream } from './go-validator';

const CILIUM = 'cilium.io/v2';

describeWithValidator('cilium', "Cilium's own policy validation accepts every Cilium object the library writes", validator => {
  function expectAccepted(outputs: Output[]): { [kind: string]: number } {
    const counts: { [kind: string]: number } = {};
    const rejected: string[] = [];
    for (const out of outputs) {
      const verdicts = validator().run(out.yaml);
      expect(verdicts).toHaveLength(out.objects.length);
      const cilium = verdicts.filter(v => v.outcome !== 'not-cilium');
      expect(cilium.map(v => `${v.kind}/${v.name}`)).toEqual(out.objects.filter(o => o.apiVersion === CILIUM).map(o => `${o.kind}/${o.metadata.name}`));
      for (const v of cilium) {
        counts[v.kind] = (counts[v.kind] ?? 0) + 1;
        if (v.outcome !== 'accepted') rejected.push(`${out.label}: ${v.kind} ${v.name}: ${v.outcome} ${v.error ?? ''}`);
      }
    }
    expect(rejected).toEqual([]);
    return counts;
  }

  test.each(BACKENDS)('the example, BACKEND=%s', backend => {
    const counts = expectAccepted([exampleOutput(backend)]);
    // Four zones, the checkout zone (a mesh zone) and its egress waypoint's policy.
    if (backend === 'cilium') expect(counts.CiliumClusterwideNetworkPolicy).toBe(6);
    else expect(counts).toEqual({});
  });

  test('the packet tests\' estate on cilium, with its egress gateway policy', () => {
    expect(expectAccepted([packetEstateOutput('cilium')])).toEqual({ CiliumClusterwideNetworkPolicy: 3, CiliumEgressGatewayPolicy: 1 });
  });

  test.each(['cilium'])('the meaning suite\'s estates on %s', backend => {
    const outputs = meaningEstateOutputs(backend);
    expect(outputs.length).toBeGreaterThanOrEqual(5);
    expectAccepted(outputs);
  }, 300_000);

  test('40 random estates on cilium (seeded)', () => {
    const counts = expectAccepted(randomEstateOutputs(40, ['cilium']));
    // eslint-disable-next-line no-console
    console.log(`Cilium accepted ${JSON.stringify(counts)} from 40 random estates`);
    expect(counts.CiliumClusterwideNetworkPolicy).toBeGreaterThanOrEqual(60);
    expect(counts.CiliumEgressGatewayPolicy).toBeGreaterThanOrEqual(10);
  }, 600_000);

  test('the checks are real: broken copies of emitted objects are rejected with Cilium\'s reasons', () => {
    const objects = packetEstateOutput('cilium').objects;
    const ccnp = objects.find(o => o.kind === 'CiliumClusterwideNetworkPolicy');
    const cegp = objects.find(o => o.kind === 'CiliumEgressGatewayPolicy');
    const badRule = { ...ccnp, spec: { ...ccnp.spec, egress: [{ toCIDR: ['10.0.0.0/8'], toEndpoints: [{}] }] } };
    const unknownField = { ...ccnp, spec: { ...ccnp.spec, egresss: [] } };
    const badCegp = { ...cegp, spec: { ...cegp.spec, destinationCIDRs: ['10.0.0.300/8'] } };
    const verdicts = validator().run(toStream([badRule, unknownField, badCegp]));
    expect(verdicts.map(v => v.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(verdicts[0].error).toMatch(/combined with toCIDR|toEndpoints|L3/i);
    expect(verdicts[1].error).toMatch(/egresss/);
    expect(verdicts[2].error).toMatch(/destination CIDR 10\.0\.0\.300\/8/);
  });
});
