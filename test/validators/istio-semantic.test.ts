/**
 * Istio's own semantic validation (istio.io/istio pkg/config/validation, what istiod's validating webhook runs) on every
 * Istio object the library writes: all accepted; Istio's warnings are listed and must be ones docs/backends.md
 * explains. Broken copies are rejected with Istio's reasons.
 */
import { expectAccepted } from './accepted';
import { exampleOutput } from './estates';
import { describeWithValidator, toStream } from './go-validator';
import { istioFixedOutputs, randomIstioOutputs } from './istio-estates';

const ISTIO = /\.istio\.io\//;

describeWithValidator('istio-semantic', "Istio's semantic validation accepts every Istio object the library writes", validator => {
  test('the fixed estates, the example and 40 random mesh estates', () => {
    const outputs = [...istioFixedOutputs(), exampleOutput('cilium'), ...randomIstioOutputs(40)];
    const counts = expectAccepted(validator(), outputs, ISTIO, 'not-istio');
    expect(counts.AuthorizationPolicy).toBeGreaterThanOrEqual(40);
    const warnings = outputs.flatMap(o => validator().run(o.yaml)).filter(v => v.warning).map(v => `${v.kind} ${v.name}: ${v.warning}`);
    // eslint-disable-next-line no-console
    console.log(`Istio's validation accepted ${JSON.stringify(counts)}; warnings: ${JSON.stringify([...new Set(warnings.map(w => w.replace(/^\S+ \S+: /, '')))])}`);
    expect(warnings).toEqual([]);
  }, 300_000);

  test('the checks are real: objects Istio\'s validation forbids are rejected with its reasons', () => {
    const objects = istioFixedOutputs()[0].objects;
    const se = objects.find(o => o.kind === 'ServiceEntry' && o.spec.endpoints);
    const ap = objects.find(o => o.kind === 'AuthorizationPolicy');
    const broken = [
      { ...se, spec: { ...se.spec, hosts: ['*'] } },
      { ...se, spec: { ...se.spec, resolution: 'DNS', addresses: ['203.0.113.0/24'] } },
      { ...ap, spec: { ...ap.spec, rules: [{ from: [{ source: { namespaces: ['pay'], serviceAccounts: ['pay/api'] } }] }] } },
      { ...ap, spec: { ...ap.spec, rules: [{ to: [{ operation: { ports: ['http'] } }] }] } },
    ];
    const verdicts = validator().run(toStream(broken));
    expect(verdicts.map(v => v.outcome)).toEqual(broken.map(() => 'rejected'));
    expect(verdicts[0].error).toMatch(/invalid host \*/);
    expect(verdicts[1].error).toMatch(/CIDR addresses are allowed only for NONE\/STATIC resolution types/);
    expect(verdicts[2].error).toMatch(/cannot set serviceAccounts with namespaces or principals/);
    expect(verdicts[3].error).toMatch(/port/);
  });
});
