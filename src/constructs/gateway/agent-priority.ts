import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { gatewayAppLabels } from '../../model/vocabulary';

/** The gateway replicas' priority: the highest a PriorityClass outside the system range may have. */
export const GATEWAY_PRIORITY_CLASS = 'cdk8s-egress-gateway';
/** The node agent's: what calico-node runs with; it steers the node's egress as the CNI routes it. */
export const NODE_AGENT_PRIORITY_CLASS = 'system-node-critical';

const priorityClasses = new WeakSet<IConstruct>();

/** The gateway replicas' PriorityClass, once per app. */
export function gatewayPriorityClass(scope: Construct): void {
  if (priorityClasses.has(scope.node.root)) return;
  priorityClasses.add(scope.node.root);
  new kplus.k8s.KubePriorityClass(scope, 'PriorityClass', {
    metadata: { name: GATEWAY_PRIORITY_CLASS, labels: gatewayAppLabels() },
    value: 1_000_000_000,
    globalDefault: false,
    description: 'cdk8s-egress gateway replicas: zones fail closed without them',
  });
}
