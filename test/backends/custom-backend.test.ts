import { ApiObject, Chart, Testing } from 'cdk8s';
import { Backend, Destination, EgressZone, IBackendRenderer, IRenderSelection } from '../../src';

/** A policy engine of the user's own: one ConfigMap per zone listing its rules, refusing zones without rules. */
class RuleListRenderer implements IBackendRenderer {
  public readonly name = 'rule-list';
  public unsupported(selection: IRenderSelection): string[] {
    return selection.zones.filter(z => z.rules.length === 0).map(z => `backend "rule-list" cannot express zone "${z.name}" without rules (at ${z.path})`);
  }
  public render(selection: IRenderSelection): void {
    for (const z of selection.zones) {
      new ApiObject(selection.scopeFor(z.path), 'RuleList', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `rules-${z.name}` }, data: { rules: z.rules.map(r => r.name).join(',') },
      });
    }
  }
}

const RULE_LIST = Backend.custom(new RuleListRenderer());

describe('Backend.custom: a user plugs in a backend the way FirewallFormat.custom() plugs in an exporter', () => {
  test('zones choosing it are rendered by its renderer, under the zone', () => {
    const chart = new Chart(Testing.app(), 'test');
    const zone = new EgressZone(chart, 'web', { namespaces: ['web'], backend: RULE_LIST });
    zone.allow('api', { to: [Destination.cidr('203.0.113.0/24')] });
    const objects = Testing.synth(chart);
    expect(objects.filter(o => o.kind === 'ConfigMap')).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rules-web' }, data: { rules: 'api' } },
    ]);
    // Nothing of the default backend for that zone.
    expect(objects.filter(o => o.kind === 'GlobalNetworkPolicy')).toEqual([]);
    expect(Backend.of('rule-list')).toBe(RULE_LIST);
  });

  test('what it cannot express fails the synth, like a built-in backend', () => {
    const chart = new Chart(Testing.app(), 'test');
    new EgressZone(chart, 'empty', { namespaces: ['x'], backend: RULE_LIST });
    expect(() => Testing.synth(chart)).toThrow('backend "rule-list" cannot express zone "empty" without rules (at test/empty)');
  });

  test('a name already taken is refused', () => {
    const calico = { name: 'calico', unsupported: () => [], render: () => undefined };
    expect(() => Backend.custom(calico)).toThrow('backend "calico" is already a backend; hint: give the custom renderer a name of its own');
  });
});
