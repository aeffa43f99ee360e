import { Construct } from 'constructs';
import { NETWORKING, SECURITY, authorizationRules, istioObject, originationSpec, serviceEntrySpec } from './istio-objects';
import { EgressPointPlan } from './istio-plan';

/** The Gateway API's group, where Istio's waypoints are Gateways of class `istio-waypoint`. */
const GATEWAY_API = 'gateway.networking.k8s.io/v1';
/** HBONE: the port ztunnel tunnels the zones' connections to the waypoint on. */
const HBONE_PORT = 15008;

/**
 * Ambient mode: the egress waypoint (a Gateway of class `istio-waypoint` for services), one ServiceEntry per
 * destination bound to it (`istio.io/use-waypoint`), the DestinationRule that makes the waypoint originate TLS where a
 * rule asks, and one AuthorizationPolicy per ServiceEntry (targetRefs) allowing only the zones' grants. ztunnel sends
 * every connection to a bound ServiceEntry through the waypoint, which enforces the policy.
 */
export function renderAmbient(scope: Construct, plan: EgressPointPlan): void {
  const { namespace, egressPoint } = plan.mesh;
  istioObject(scope, `Waypoint-${egressPoint}`, GATEWAY_API, 'Gateway', egressPoint, namespace, {
    gatewayClassName: 'istio-waypoint',
    listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }],
  }, { 'istio.io/waypoint-for': 'service' });
  for (const dest of plan.destinations) {
    const ports = dest.ports.map(p => ({ number: p.number, protocol: p.protocol, targetPort: p.originate?.port }));
    istioObject(scope, `ServiceEntry-${dest.name}`, NETWORKING, 'ServiceEntry', dest.name, namespace, serviceEntrySpec(dest, ports),
      { 'istio.io/use-waypoint': egressPoint });
    // The waypoint matches port-level settings on the service port (the application's plain-HTTP port).
    const origination = originationSpec(dest, p => p.number);
    if (origination) istioObject(scope, `DestinationRule-${dest.name}`, NETWORKING, 'DestinationRule', `${dest.name}-tls`, namespace, origination);
    istioObject(scope, `AuthorizationPolicy-${dest.name}`, SECURITY, 'AuthorizationPolicy', dest.name, namespace, {
      targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: dest.name }],
      action: 'ALLOW',
      rules: authorizationRules(dest.grants, { host: dest.host, withPorts: true }),
    });
  }
}
