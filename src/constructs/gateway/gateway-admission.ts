import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { GatewaySettings } from './gateway-settings';
import { IpFamily } from '../../model/cidr';
import { CALICO_IPV4_POOLS_ANNOTATION, CALICO_IPV6_POOLS_ANNOTATION, gatewayAppLabels, PART_OF, PART_OF_LABEL } from '../../model/vocabulary';

/**
 * Pod Security level of the agents' namespaces: `privileged`, because nothing lower admits them. Baseline forbids
 * host networking (the node agent steers the host's traffic), adding NET_ADMIN (both agents program nftables, routes,
 * VXLAN devices and conntrack through netlink) and privileged containers (the init containers that set the net.ipv4
 * sysctls without kubelet flags). The label says so on the Namespace, where a cluster whose default level is
 * baseline or restricted would otherwise refuse the pods; keep the namespace to these workloads alone.
 */
export const POD_SECURITY_LEVEL = 'privileged';

const namespaces = new WeakMap<IConstruct, Set<string>>();

/** The Namespace object with its Pod Security labels, once per app and namespace. */
export function agentNamespace(scope: Construct, namespace: string): void {
  const seen = namespaces.get(scope.node.root) ?? new Set<string>();
  namespaces.set(scope.node.root, seen);
  if (seen.has(namespace)) return;
  seen.add(namespace);
  new kplus.k8s.KubeNamespace(scope, `Namespace-${namespace}`, {
    metadata: {
      name: namespace,
      labels: {
        [PART_OF_LABEL]: PART_OF,
        'pod-security.kubernetes.io/enforce': POD_SECURITY_LEVEL,
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  });
}

/**
 * A ValidatingAdmissionPolicy (+ binding) that keeps the gateway's egress pools to the gateway's namespace: a pod
 * elsewhere annotated with one of them (or a Namespace annotated so) would take an egress IP as its own address and
 * leave with it past every zone's allow-list. Calico reads the annotation from the Pod or its Namespace, so both are
 * checked.
 */
export function gatewayPoolAdmission(scope: Construct, s: GatewaySettings, poolNames: string[]): void {
  const name = `cdk8s-egress-${s.gatewayName}-pools`.slice(0, 253);
  const pools = JSON.stringify(poolNames);
  // Either family's annotation may name a pool (IPv6 pools only when the gateway has some: the IPv4-only text stays as it was).
  const keys = s.ranges.some(r => r.family === IpFamily.IPV6)
    ? [CALICO_IPV4_POOLS_ANNOTATION, CALICO_IPV6_POOLS_ANNOTATION] : [CALICO_IPV4_POOLS_ANNOTATION];
  const names = (key: string) => `'${key}' in object.metadata.annotations`
    + ` && ${pools}.exists(p, object.metadata.annotations['${key}'].contains('"' + p + '"'))`;
  const uses = `has(object.metadata.annotations) && ${keys.length === 1 ? names(keys[0]) : `(${keys.map(k => `(${names(k)})`).join(' || ')})`}`;
  const labels = gatewayAppLabels();
  new ApiObject(scope, 'PoolAdmissionPolicy', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name, labels },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'namespaces'] },
        ],
      },
      validations: [
        {
          expression: `request.kind.kind != 'Pod' || request.namespace == '${s.namespace}' || !(${uses})`,
          message: `only pods in namespace ${s.namespace} may take addresses from the egress pools ${pools} of gateway ${s.gatewayName}`,
          reason: 'Forbidden',
        },
        {
          expression: `request.kind.kind != 'Namespace' || object.metadata.name == '${s.namespace}' || !(${uses})`,
          message: `only namespace ${s.namespace} may name the egress pools ${pools} of gateway ${s.gatewayName}`,
          reason: 'Forbidden',
        },
      ],
    },
  });
  new ApiObject(scope, 'PoolAdmissionBinding', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, labels },
    spec: { policyName: name, validationActions: ['Deny'] },
  });
}
