import { Chart, Testing } from 'cdk8s';
import { INVALID_L1_CASES, L1Case, VALID_L1_EDGE_CASES } from './calico-invalid-cases';
import {
  CalicoAction, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkSet, CalicoIPPool, CalicoNetworkPolicy, CalicoNetworkSet,
  CalicoPort, CalicoProtocol, CalicoRule, CalicoTier,
} from '../../src/calico';
import { sealRules } from '../../src/calico/sealed-rules';
import { renderPolicySpec } from '../../src/calico/spec-json';

const { ALLOW } = CalicoAction;
const TCP = CalicoProtocol.TCP;

function chart(): Chart {
  return new Chart(Testing.app(), 'c');
}

/** A GlobalNetworkPolicy with one egress rule (at construct path c/P). */
const egress = (rule: CalicoRule) => () => new CalicoGlobalNetworkPolicy(chart(), 'P', { metadata: { name: 'p' }, spec: { egress: [rule] } });

const CLASS_OF_KIND: { [kind in L1Case['kind']]: Function } = {
  GlobalNetworkPolicy: CalicoGlobalNetworkPolicy,
  NetworkPolicy: CalicoNetworkPolicy,
  GlobalNetworkSet: CalicoGlobalNetworkSet,
  NetworkSet: CalicoNetworkSet,
  IPPool: CalicoIPPool,
  Tier: CalicoTier,
};

describe('invalid Calico objects throw at construction, naming field, reason and construct path', () => {
  test.each(INVALID_L1_CASES)('%s', (_name, c, message) => {
    expect(() => c.build()).toThrow(message);
  });

  test.each(VALID_L1_EDGE_CASES)('valid edge case: %s', (_name, c) => {
    expect(c.build()).toBeInstanceOf(CLASS_OF_KIND[c.kind]);
  });
});

describe('policies rendered from the model: one checked path', () => {
  const badRule = (): CalicoRule => ({ action: ALLOW, destination: { nets: ['10.0.0.1/24'] } });

  test('a policy users build is checked', () => {
    expect(egress(badRule())).toThrow(/destination\.nets\[0\] "10\.0\.0\.1\/24" is not strictly masked/);
  });

  test('a sealed rule (as the renderers share them) is checked too, in every policy that holds it until it passes', () => {
    const [bad] = sealRules([badRule()]);
    expect(egress(bad)).toThrow(/is not strictly masked/);
    expect(egress(bad)).toThrow(/is not strictly masked/);
  });

  test('an unsealed rule is checked again in every policy (users may change it in between)', () => {
    const rule: CalicoRule = { action: ALLOW, destination: { nets: ['10.0.0.0/24'] } };
    expect(egress(rule)()).toBeInstanceOf(CalicoGlobalNetworkPolicy);
    rule.destination!.nets!.push('10.0.0.1/24');
    expect(egress(rule)).toThrow(/destination\.nets\[1\] "10\.0\.0\.1\/24" is not strictly masked/);
  });

  test('a sealed rule valid in a GlobalNetworkPolicy is still checked for a namespaced NetworkPolicy', () => {
    const [rule] = sealRules([{ action: ALLOW, destination: { services: { name: 'api' } } }]);
    // Namespaced: a Service name alone is fine. Global: it needs the Service's namespace.
    expect(new CalicoNetworkPolicy(chart(), 'N', { metadata: { name: 'n', namespace: 'x' }, spec: { egress: [rule] } })).toBeInstanceOf(CalicoNetworkPolicy);
    expect(egress(rule)).toThrow(/services\.namespace "" is required in a GlobalNetworkPolicy/);
  });

  test('a sealed rule renders to the same JSON as an unsealed one', () => {
    const make = (): CalicoRule => ({ action: ALLOW, protocol: TCP, destination: { nets: ['203.0.113.0/24'], ports: [CalicoPort.of(443)] }, metadata: { annotations: { a: 'b' } } });
    const [sealed] = sealRules([make()]);
    expect(renderPolicySpec({ egress: [sealed, sealed] })).toEqual(renderPolicySpec({ egress: [make(), make()] }));
  });
});

describe('the cheap tests in front of the rule checks let nothing through', () => {
  const policy = (rules: CalicoRule[]) => () => new CalicoGlobalNetworkPolicy(chart(), 'P', { metadata: { name: 'p' }, spec: { egress: rules } });
  const ok: CalicoRule = { action: ALLOW, destination: { selector: 'app == "x"' }, metadata: { annotations: { 'egress.cdk8s.io/rule': 'r' } } };

  test('a known annotation key does not skip the size limit', () => {
    expect(policy([ok])).not.toThrow();
    const big: CalicoRule = { action: ALLOW, metadata: { annotations: { 'egress.cdk8s.io/rule': 'x'.repeat(256 * 1024) } } };
    expect(policy([ok, big])).toThrow(/spec\.egress\[1\]\.metadata\.annotations ".*bytes" are too large/);
  });

  test('a selector known to parse is still checked for global() where Calico forbids it', () => {
    expect(policy([{ action: ALLOW, destination: { namespaceSelector: 'global()' } }])).not.toThrow();
    expect(policy([ok, { action: ALLOW, destination: { selector: 'global()' } }])).toThrow(/spec\.egress\[1\]\.destination\.selector "global\(\)" uses global\(\)/);
  });

  test('errors name the rule by its index and the list it stands in', () => {
    const rules: CalicoRule[] = [ok, ok, { action: ALLOW, destination: { nets: ['198.51.100.0/24', '10.0.0.1/24'] } }];
    expect(policy(rules)).toThrow(/spec\.egress\[2\]\.destination\.nets\[1\] "10\.0\.0\.1\/24" is not strictly masked/);
    const mixed: CalicoRule = { action: ALLOW, source: { nets: ['10.0.0.0/8'] }, destination: { notNets: ['2001:db8::/32'] } };
    expect(policy([mixed])).toThrow(/spec\.egress\[0\]\.destination\.notNets\[0\] "2001:db8::\/32" is IPv6 but spec\.egress\[0\]\.source\.nets\[0\] is IPv4/);
    expect(policy([{ action: ALLOW, destination: { nets: ['10.0.0.0/8', '10.0.0.0/8'] } }])).toThrow(/spec\.egress\[0\]\.destination\.nets\[1\] "10\.0\.0\.0\/8" is listed more than once/);
  });
});
