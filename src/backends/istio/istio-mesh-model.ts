import { IstioMode, IstioOptions } from './istio-options';
import { EgressValidationError } from '../../model/errors';
import { MeshModel } from '../../model/mesh-model';
import { validateDnsLabel } from '../../model/names';
import { Selector } from '../../model/selector';

/** The label the Gateway API controller (Istio's) puts on a Gateway's pods: the Gateway's name. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** The mesh model of a zone rendered by Istio with these options. */
export function istioMeshModel(options: IstioOptions): MeshModel {
  const where = 'Backend.istio()';
  const mode = options.mode ?? IstioMode.AMBIENT;
  if (!Object.values(IstioMode).includes(mode)) {
    throw EgressValidationError.inFactory(where, 'mode', String(mode), 'is not one of ambient, sidecar', 'IstioMode.AMBIENT or IstioMode.SIDECAR');
  }
  const ambient = mode === IstioMode.AMBIENT;
  const namespace = validateDnsLabel('namespace', options.namespace ?? (ambient ? 'istio-egress' : 'istio-system'));
  const egressPoint = validateDnsLabel('egressPointName', options.egressPointName ?? (ambient ? 'egress-waypoint' : 'istio-egressgateway'));
  if (ambient && options.gatewayLabels) {
    throw EgressValidationError.inFactory(where, 'gatewayLabels', JSON.stringify(options.gatewayLabels), 'is for sidecar mode; a waypoint\'s pods carry its name', 'leave gatewayLabels out');
  }
  const labels = ambient ? { [GATEWAY_NAME_LABEL]: egressPoint } : options.gatewayLabels ?? { istio: 'egressgateway' };
  if (Object.keys(labels).length === 0) {
    throw EgressValidationError.inFactory(where, 'gatewayLabels', '{}', 'is empty: it would select every pod of the namespace as the egress gateway', '{ istio: "egressgateway" }');
  }
  return { backend: 'istio', mode, namespace, egressPoint, egressPointSelector: Selector.fromLabels(labels).toString() };
}
