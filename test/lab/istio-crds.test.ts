/**
 * Istio's own CRDs (istio.io/api's bundle: OpenAPI schemas and CEL rules) and the Gateway API's Gateway CRD installed on
 * the lab's real kube-apiserver; every Istio object the library writes is server-side applied with strict field
 * validation (unknown and duplicate fields are errors), for the fixed estates, the example and random estates.
 */
import * as YAML from 'yaml';
import { installIstioCrds } from './istio-install';
import { Lab } from './lab';
import { describeLab } from './suite';
import { exampleOutput, Output } from '../validators/estates';
import { istioFixedOutputs, randomIstioOutputs } from '../validators/istio-estates';

jest.setTimeout(600_000);

const MESH = /(\.istio\.io|gateway\.networking\.k8s\.io)\//;

/** The output's Istio and Gateway API objects, as one YAML stream. */
function meshObjects(out: Output): any[] {
  return out.objects.filter(o => MESH.test(o.apiVersion));
}

describeLab('lab: Istio objects through the real API server with Istio\'s CRDs', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: 2 });
    installIstioCrds(lab);
  }, 1_800_000); // one lab per machine: this may wait for another suite's lab first
  afterAll(() => lab?.stop());

  function applyAll(outputs: Output[]): number {
    let applied = 0;
    for (const out of outputs) {
      const docs = meshObjects(out);
      for (const ns of new Set(docs.map(d => d.metadata.namespace))) lab.ensureNamespace(ns);
      const lines = lab.apply(docs.map(d => YAML.stringify(d)).join('---\n'), ['--validate=strict']).split('\n').filter(Boolean);
      expect(lines).toHaveLength(docs.length);
      applied += docs.length;
    }
    return applied;
  }

  test('the fixed estates (ambient, sidecar): every object accepted and stored as written', () => {
    const outs = istioFixedOutputs();
    expect(applyAll(outs)).toBe(outs.flatMap(meshObjects).length);
    const ap = meshObjects(outs[0]).find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'api.pay.example');
    const back = JSON.parse(lab.kubectl(['get', 'authorizationpolicies.security.istio.io', ap.metadata.name, '-n', ap.metadata.namespace, '-o', 'json']));
    expect(back.spec).toEqual(ap.spec);
  });

  test('the example (BACKEND=cilium) and 40 random estates', () => {
    expect(applyAll([exampleOutput('cilium')])).toBeGreaterThanOrEqual(3);
    expect(applyAll(randomIstioOutputs(40))).toBeGreaterThanOrEqual(200);
  });

  test('the checks are real: an unknown field, a CEL rule and an enum are enforced by the server', () => {
    const ap = meshObjects(istioFixedOutputs()[0]).find(o => o.kind === 'AuthorizationPolicy');
    const reject = (obj: any) => {
      try {
        lab.apply(YAML.stringify(obj), ['--validate=strict']);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected the API server to reject it');
    };
    expect(reject({ ...ap, metadata: { ...ap.metadata, name: 'bad-field' }, spec: { ...ap.spec, actionn: 'ALLOW' } })).toMatch(/\.spec\.actionn: field not declared in schema/);
    expect(reject({ ...ap, metadata: { ...ap.metadata, name: 'bad-cel' }, spec: { ...ap.spec, selector: { matchLabels: { a: 'b' } } } }))
      .toMatch(/only one of targetRefs or selector can be set/);
    expect(reject({ ...ap, metadata: { ...ap.metadata, name: 'bad-enum' }, spec: { ...ap.spec, action: 'PERMIT' } })).toMatch(/PERMIT/);
  });
});
