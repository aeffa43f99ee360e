import { Testing } from 'cdk8s';
import { validateObject } from './validate-objects';
import { EgressEstate } from '../../examples/app/main';
import { describeWithCalicoCrds } from '../support/calico-schema';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

function synthExample(backend: string): any[] {
  const before = process.env.BACKEND;
  process.env.BACKEND = backend;
  try {
    const app = Testing.app();
    const chart = new EgressEstate(app, 'egress');
    return expectWarnings(exampleWarnings(backend), () => Testing.synth(chart));
  } finally {
    if (before === undefined) delete process.env.BACKEND;
    else process.env.BACKEND = before;
  }
}

const POLICY_KIND: { [backend: string]: [string, string] } = {
  'calico': ['projectcalico.org/v3', 'GlobalNetworkPolicy'],
  'calico-enterprise': ['projectcalico.org/v3', 'GlobalNetworkPolicy'],
  'cilium': ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy'],
  'kubernetes': ['networking.k8s.io/v1', 'NetworkPolicy'],
  'cluster-network-policy': ['policy.networking.k8s.io/v1beta1', 'ClusterNetworkPolicy'],
};
/** Kubernetes writes one policy per namespace (batch covers two); ClusterNetworkPolicy an Admin and a Baseline one per zone that passes in-cluster traffic, an Admin one for the mesh zone and its waypoint. */
const POLICIES: { [backend: string]: number } = { 'kubernetes': 7, 'cluster-network-policy': 10 };

describeWithCalicoCrds('the example estate synthesizes for every backend', () => {
  test.each(Object.keys(POLICY_KIND))('BACKEND=%s: policies for every zone, every object valid', backend => {
    const objects = synthExample(backend);
    const [apiVersion, kind] = POLICY_KIND[backend];
    const policies = objects.filter(o => o.apiVersion === apiVersion && o.kind === kind);
    // The checkout zone (a mesh zone) has two: its own and its egress waypoint's (mesh-egress-waypoint, with the zone's
    // external rule).
    expect(policies.length).toBe(POLICIES[backend] ?? 6);
    expect(policies.filter(p => p.metadata.name === 'egress-mesh-egress-waypoint')).toHaveLength(1);
    expect(objects.flatMap(validateObject)).toEqual([]);
    // Nothing of another backend leaks in.
    // (by apiVersion and kind: the gateway's own Calico NetworkPolicy is not a Kubernetes NetworkPolicy)
    const foreign = Object.entries(POLICY_KIND).filter(([b]) => POLICY_KIND[b][1] !== kind).map(([, k]) => k);
    expect(objects.filter(o => foreign.some(([api, k]) => o.apiVersion === api && o.kind === k))).toEqual([]);
  });
});
