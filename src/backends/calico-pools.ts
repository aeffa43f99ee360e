import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IRenderSelection } from './backend-renderer';
import { CalicoEncapsulationMode, CalicoIPPool, CalicoIPPoolAllowedUse } from '../calico';
import { NamespaceAssignment, NatPoolModel, PoolEncapsulation } from '../model/egress-model-document';
import { Selector } from '../model/selector';
import { CALICO_IPV4_POOLS_ANNOTATION, CALICO_IPV6_POOLS_ANNOTATION, NAMESPACE_NAME_LABEL } from '../model/vocabulary';

/**
 * The NAT pools of a Calico selection: one IPPool each, a disabled pool per no-NAT destination (Calico does not
 * NAT traffic to any pool's range), and the pool annotation on the Namespaces that draw from them.
 */
export function renderCalicoPools(selection: IRenderSelection): void {
  const doneNoNat = new Set<string>();
  const annotations = new Map<string, { v4: string[]; v6: string[]; scope: Construct }>();
  for (const pool of selection.natPools) {
    const scope = selection.scopeFor(pool.path);
    new CalicoIPPool(scope, 'CalicoIPPool', {
      metadata: { name: pool.name },
      spec: {
        cidr: pool.cidr,
        blockSize: pool.blockSize,
        natOutgoing: pool.natOutgoing,
        nodeSelector: pool.nodeSelector,
        ...namespacedPool(pool),
        ...encapsulation(pool),
      },
    });
    for (const dest of pool.noNatDestinations) {
      if (doneNoNat.has(dest)) continue;
      doneNoNat.add(dest);
      new CalicoIPPool(scope, `NoNat-${dest}`, {
        metadata: { name: `no-nat-${dest.replace(/[^0-9a-f]+/gi, '-').replace(/-+$/, '').toLowerCase()}` },
        spec: { cidr: dest, disabled: true, natOutgoing: false, nodeSelector: '!all()' },
      });
    }
    if (pool.assignment === NamespaceAssignment.NAMESPACE_ANNOTATION) {
      for (const ns of pool.namespaces) {
        const a = annotations.get(ns) ?? { v4: [], v6: [], scope };
        (pool.ipVersion === 4 ? a.v4 : a.v6).push(pool.name);
        annotations.set(ns, a);
      }
    }
  }
  for (const [ns, a] of [...annotations].sort(([x], [y]) => x.localeCompare(y))) {
    const ann: { [k: string]: string } = {};
    if (a.v4.length) ann[CALICO_IPV4_POOLS_ANNOTATION] = JSON.stringify(a.v4);
    if (a.v6.length) ann[CALICO_IPV6_POOLS_ANNOTATION] = JSON.stringify(a.v6);
    // A Namespace object carrying the pool annotation: applying it merges the annotation into an existing namespace.
    new ApiObject(a.scope, `Namespace-${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, annotations: ann } });
  }
}

function encapsulation(pool: NatPoolModel): { ipipMode?: CalicoEncapsulationMode; vxlanMode?: CalicoEncapsulationMode } {
  switch (pool.encapsulation) {
    case PoolEncapsulation.VXLAN: return { vxlanMode: CalicoEncapsulationMode.ALWAYS, ipipMode: CalicoEncapsulationMode.NEVER };
    case PoolEncapsulation.VXLAN_CROSS_SUBNET: return { vxlanMode: CalicoEncapsulationMode.CROSS_SUBNET, ipipMode: CalicoEncapsulationMode.NEVER };
    case PoolEncapsulation.IPIP: return { ipipMode: CalicoEncapsulationMode.ALWAYS, vxlanMode: CalicoEncapsulationMode.NEVER };
    case PoolEncapsulation.IPIP_CROSS_SUBNET: return { ipipMode: CalicoEncapsulationMode.CROSS_SUBNET, vxlanMode: CalicoEncapsulationMode.NEVER };
    default: return { ipipMode: CalicoEncapsulationMode.NEVER, vxlanMode: CalicoEncapsulationMode.NEVER };
  }
}

/**
 * A pool that selects namespaces: workload addresses only. Its selector uses kubernetes.io/metadata.name: Calico IPAM
 * matches a pool's namespaceSelector against the Namespace object's own labels (libcalico-go ipam.SelectsNamespace),
 * which do not include the policy-only projectcalico.org/name; the API server sets this one on every namespace.
 * Found in the real-cluster lab: with projectcalico.org/name no pod got an address from its pool. Calico defaults an empty allowedUses to
 * [Workload, Tunnel], and rejects a Tunnel pool with a namespaceSelector (found by Calico's own validator).
 */
function namespacedPool(pool: NatPoolModel): { namespaceSelector?: string; allowedUses?: CalicoIPPoolAllowedUse[] } {
  if (pool.assignment !== NamespaceAssignment.NAMESPACE_SELECTOR || pool.namespaces.length === 0) return {};
  return { namespaceSelector: Selector.labelIn(NAMESPACE_NAME_LABEL, pool.namespaces).toString(), allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD] };
}

/**
 * A pool without NAT is routable: destinations see its pod addresses, and replies come back only if the network
 * outside the cluster routes the pool to the nodes (Calico's BGP peering, or static or cloud routes). Without
 * encapsulation the network between the nodes must route it too. Nothing in the cluster can check that.
 */
export function routablePoolWarnings(pools: readonly NatPoolModel[]): { path: string; message: string }[] {
  return pools.filter(p => !p.natOutgoing).map(p => ({
    path: p.path,
    message: `NAT pool "${p.name}" ${p.cidr} does not NAT (natOutgoing: false): destinations see its pod addresses, so the network outside the cluster must route ${p.cidr} back to the nodes (BGP peering with Calico, or static or cloud routes)`
      + (p.encapsulation === PoolEncapsulation.NONE ? '; with encapsulation NONE (vxlanMode and ipipMode Never) the network between the nodes must route it as well' : '')
      + '. Where it cannot, use natOutgoing, or an EgressGateway for fixed source addresses',
  }));
}
