import { parseCidrText } from './cidr-text';
import { arrayAt, fail, uniqueAt } from './fail';
import { CALICO_ENDPOINT_NAMESPACE_LABEL } from '../../model/vocabulary';
import { CalicoNetworkSetSpec } from '../calico-network-set-spec';


/** Calico's checks of a (Global)NetworkSet: nets are CIDRs or IPs (host bits allowed), a set, no reserved label. */
export function validateNetworkSet(spec: CalicoNetworkSetSpec, labels: { [key: string]: string } | undefined, path: string): void {
  if (spec === undefined || spec === null || typeof spec !== 'object') fail(path, 'spec', spec, 'is required');
  if (labels && CALICO_ENDPOINT_NAMESPACE_LABEL in labels) {
    fail(path, 'metadata.labels', CALICO_ENDPOINT_NAMESPACE_LABEL, 'is reserved by Calico (it maps the namespace of v1 data) and not a valid label of a network set');
  }
  const nets = arrayAt(path, 'spec.nets', spec.nets);
  nets.forEach((net, i) => {
    if (!parseCidrText(net)) fail(path, `spec.nets[${i}]`, net, 'is not a valid CIDR or IP address');
  });
  uniqueAt(path, 'spec.nets', nets);
}
