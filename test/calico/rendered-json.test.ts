import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { buildOurs } from '../../bench/workload';
import { EgressEstate } from '../../examples/app/main';
import {
  CalicoAction, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkSet, CalicoIPPool, CalicoNetworkPolicy, CalicoNetworkSet,
  CalicoPolicyType, CalicoPort, CalicoProtocol,
} from '../../src/calico';
import { withoutNamespace } from '../../src/calico/private/cluster-scoped';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

const CALICO_KINDS = [CalicoGlobalNetworkPolicy, CalicoNetworkPolicy, CalicoGlobalNetworkSet, CalicoNetworkSet, CalicoIPPool];
// cdk8s's ApiObject overrides Symbol.hasInstance (any ApiObject is "instanceof" every subclass): compare classes.
const isCalico = (c: object): c is ApiObject => CALICO_KINDS.some(k => Object.getPrototypeOf(c)?.constructor === k);
const CLUSTER_SCOPED = new Set(['GlobalNetworkPolicy', 'GlobalNetworkSet', 'IPPool']);

/** What cdk8s's own ApiObject.toJson gives for the object (the reference the fast path must equal). */
function cdk8sJson(obj: ApiObject): any {
  const json = ApiObject.prototype.toJson.call(obj);
  return CLUSTER_SCOPED.has(obj.kind) ? withoutNamespace(json) : json;
}

function calicoObjects(app: App): ApiObject[] {
  for (const c of app.node.findAll()) c.node.validate(); // renders the egress model
  return app.node.findAll().filter(isCalico);
}

describe('Calico objects serialise exactly as cdk8s would', () => {
  test.each(['calico', 'calico-enterprise'])('every Calico object of the example (%s backend): same JSON, same key order', backend => {
    const saved = process.env.BACKEND;
    process.env.BACKEND = backend;
    try {
      const app = Testing.app();
      new EgressEstate(app, 'egress');
      const objects = expectWarnings(exampleWarnings(backend), () => calicoObjects(app));
      expect(objects.length).toBeGreaterThanOrEqual(8);
      for (const obj of objects) expect(JSON.stringify(obj.toJson())).toBe(JSON.stringify(cdk8sJson(obj)));
    } finally {
      if (saved === undefined) delete process.env.BACKEND; else process.env.BACKEND = saved;
    }
  });

  test('every Calico object of a 50-zone benchmark estate', () => {
    const objects = calicoObjects(buildOurs(50, 20));
    expect(objects.length).toBeGreaterThan(200);
    for (const obj of objects) expect(JSON.stringify(obj.toJson())).toBe(JSON.stringify(cdk8sJson(obj)));
  });

  test('hand-built objects of every kind, in a namespaced chart', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'team', labels: { owner: 'platform' } });
    const objects: ApiObject[] = [
      new CalicoGlobalNetworkPolicy(chart, 'gnp', {
        metadata: { name: 'gnp', annotations: { z: '1', a: '2' } },
        spec: { order: 10, types: [CalicoPolicyType.EGRESS], egress: [{ action: CalicoAction.ALLOW, protocol: CalicoProtocol.TCP, destination: { ports: [CalicoPort.of(443), CalicoPort.range(8000, 8080)], nets: ['10.0.0.0/8'] } }] },
      }),
      new CalicoNetworkPolicy(chart, 'np', { metadata: { name: 'np' }, spec: { selector: 'app == "x"', egress: [{ action: CalicoAction.DENY }] } }),
      new CalicoGlobalNetworkSet(chart, 'gns', { metadata: { name: 'gns' }, spec: { nets: ['192.0.2.0/24'] } }),
      new CalicoNetworkSet(chart, 'ns', { metadata: { name: 'ns' }, spec: {} }),
      new CalicoIPPool(chart, 'pool', { metadata: { name: 'pool' }, spec: { cidr: '10.8.0.0/16', natOutgoing: false } }),
    ];
    for (const obj of objects) expect(JSON.stringify(obj.toJson())).toBe(JSON.stringify(cdk8sJson(obj)));
    expect(objects[1].toJson().metadata.namespace).toBe('team');
    expect(objects[0].toJson().metadata.namespace).toBeUndefined();
  });
});

describe('cases the fast path hands back to cdk8s', () => {
  const policy = (chart: Chart) => new CalicoGlobalNetworkPolicy(chart, 'p', { metadata: { name: 'p' }, spec: { order: 5, egress: [{ action: CalicoAction.DENY }] } });

  test('JSON patches are applied', () => {
    const p = policy(new Chart(Testing.app(), 'c'));
    p.addJsonPatch(JsonPatch.replace('/spec/order', 7));
    expect(p.toJson().spec.order).toBe(7);
  });

  test('custom resolvers of the app run', () => {
    const app = new App({ resolvers: [{ resolve: ctx => { if (ctx.value === 'Deny') ctx.replaceValue('Log'); } }] });
    expect(policy(new Chart(app, 'c')).toJson().spec.egress[0].action).toBe('Log');
  });

  test('CDK8S_DISABLE_SORT keeps the rendered (API) field order', () => {
    const saved = process.env.CDK8S_DISABLE_SORT;
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const chart = new Chart(Testing.app(), 'c');
      const p = new CalicoGlobalNetworkPolicy(chart, 'p', { metadata: { name: 'p' }, spec: { types: [CalicoPolicyType.EGRESS], order: 5 } });
      expect(Object.keys(p.toJson().spec)).toEqual(['order', 'types']);
      expect(JSON.stringify(p.toJson())).toBe(JSON.stringify(cdk8sJson(p)));
    } finally {
      if (saved === undefined) delete process.env.CDK8S_DISABLE_SORT; else process.env.CDK8S_DISABLE_SORT = saved;
    }
  });
});
