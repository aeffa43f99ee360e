/**
 * Every CiliumClusterwideNetworkPolicy and CiliumEgressGatewayPolicy the library writes goes through Cilium's
 * own checks (test/validators/cilium: the agent's CNP/CCNP validator and Parse()/Sanitize(), and the egress
 * gateway manager's ParseCEGP) and must be accepted.
 */
import { expectAccepted as accepted } from './accepted';
import { BACKENDS, exampleOutput, meaningEstateOutputs, Output, packetEstateOutput, randomEstateOutputs } from './estates';
import { describeWithValidator, toStream } from './go-validator';

describeWithValidator('cilium', "Cilium's own policy validation accepts every Cilium object the library writes", validator => {
  const expectAccepted = (outputs: Output[]) => accepted(validator(), outputs, /^cilium\.io\/v2$/, 'not-cilium');

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
