/**
 * Istio's CRDs and the Gateway API's Gateway CRD on a lab's API server (the example estate has a mesh zone since
 * issue 26): what an install with Istio (Calico 3.32 bundles ambient mode) has before anything is applied.
 */
import { Lab } from './lab';
import { istioCrdBundle } from '../validators/istio-crds';

export function installIstioCrds(lab: Lab): void {
  lab.kubectl(['apply', '--server-side', '-f', '-'], istioCrdBundle());
  lab.kubectl(['wait', '--for=condition=Established', '--timeout=120s', 'crd', '-l', 'app=istio-pilot']);
  lab.kubectl(['wait', '--for=condition=Established', '--timeout=120s', 'crd/gateways.gateway.networking.k8s.io']);
}
