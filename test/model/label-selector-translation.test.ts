import { Selector } from '../../src/model/selector';
import { KubeLabelSelector, toKubeLabelSelector, UntranslatableSelectorError } from '../../src/model/selector/label-selector-translation';

/** Kubernetes' evaluation of a label selector (apimachinery labels.Selector semantics). */
function kubeMatches(sel: KubeLabelSelector, labels: { [k: string]: string }): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In': if (!has || !r.values!.includes(labels[r.key])) return false; break;
      case 'NotIn': if (has && r.values!.includes(labels[r.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(r.operator);
    }
  }
  return true;
}

describe('Calico selectors as Kubernetes label selectors', () => {
  test.each([
    ['all()', {}],
    ['app == "web"', { matchLabels: { app: 'web' } }],
    ['app != "web"', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }],
    ['has(tier) && !has(debug)', { matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'debug', operator: 'DoesNotExist' }] }],
    ['env in {"prod", "stage"}', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }],
    ['env not in {"dev"}', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }],
    ['env == "a" || env == "b"', { matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }],
    ['!(a == "x" || b == "y")', { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }, { key: 'b', operator: 'NotIn', values: ['y'] }] }],
    ['!(a != "x")', { matchLabels: { a: 'x' } }],
    ['app == "web" && kubernetes.io/os == "linux"', { matchLabels: { 'app': 'web', 'kubernetes.io/os': 'linux' } }],
  ])('%s', (text, expected) => {
    expect(toKubeLabelSelector(Selector.parse(text).toString())).toEqual(expected);
  });

  test('a key prefix goes before every key (Cilium namespace labels)', () => {
    expect(toKubeLabelSelector('team == "a" && has(x)', 'k8s:io.cilium.k8s.namespace.labels.')).toEqual({
      matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a' },
      matchExpressions: [{ key: 'k8s:io.cilium.k8s.namespace.labels.x', operator: 'Exists' }],
    });
  });

  test.each([
    ['app contains "we"', /"contains" \(on label "app"\) has no Kubernetes equivalent/],
    ['app starts with "w"', /"starts with"/],
    ['app ends with "b"', /"ends with"/],
    ['a == "x" || b == "y"', /"\|\|" is only expressible between values of one label/],
    ['!(a == "x" && b == "y")', /"\|\|" is only expressible/],
    ['!all()', /matches nothing/],
    ['a in {}', /matches nothing/],
    ['app == "two words"', /value "two words" of label "app" is not a valid Kubernetes label value/],
    ['global()', /global\(\) has no Kubernetes equivalent/],
  ])('%s cannot be expressed', (text, message) => {
    const canonical = Selector.parse(text).toString();
    expect(() => toKubeLabelSelector(canonical)).toThrow(UntranslatableSelectorError);
    expect(() => toKubeLabelSelector(canonical)).toThrow(message);
  });

  // Meaning, not text: every translated selector matches exactly the label maps the Calico one matches.
  const selectors = [
    'app == "web"', 'app != "web"', 'has(app)', '!has(app)', 'app in {"web", "db"}', 'app not in {"web"}',
    'app == "web" || app == "db"', '!(app == "web" || tier == "x")', '(app == "web" && tier != "x")', '!(app in {"db"})',
  ];
  const labelMaps: { [k: string]: string }[] = [{}, { app: 'web' }, { app: 'db' }, { app: 'other' }, { tier: 'x' }, { app: 'web', tier: 'x' }, { app: 'web', tier: 'y' }];
  test.each(selectors)('%s matches the same pods in both languages', text => {
    const calico = Selector.parse(text);
    const kube = toKubeLabelSelector(calico.toString());
    for (const labels of labelMaps) expect([labels, kubeMatches(kube, labels)]).toEqual([labels, calico.matches(labels)]);
  });
});
