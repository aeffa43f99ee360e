import { Construct } from 'constructs';
import { NETWORKING, SECURITY, authorizationRules, istioObject, originationSpec, portName, serviceEntrySpec } from './istio-objects';
import { EgressPointPlan, MeshDestination } from './istio-plan';
import { toDnsLabel } from '../../model/names';
import { toKubeLabelSelector } from '../../model/selector/label-selector-translation';

/** The egress gateway's port the sidecars reach it on, with mutual TLS (its Service's https port in Istio's install). */
const GATEWAY_PORT = 443;

/**
 * Sidecar mode, Istio's egress gateway pattern with mutual TLS from the sidecar to the gateway (so that the gateway
 * knows the client's namespace): a Sidecar with `REGISTRY_ONLY` in each zone namespace; per destination a ServiceEntry
 * and a VirtualService (sidecars send the host to the gateway, the gateway to the host); the Gateway's ISTIO_MUTUAL
 * server for every host; a DestinationRule for the gateway (one subset per host, mutual TLS with the host as SNI) and
 * one per TLS-originated host; and the AuthorizationPolicy at the gateway allowing only the zones' grants.
 */
export function renderSidecar(scope: Construct, plan: EgressPointPlan): void {
  const { namespace, egressPoint, egressPointSelector } = plan.mesh;
  const gatewayHost = `${egressPoint}.${namespace}.svc.cluster.local`;
  for (const ns of [...new Set(plan.zones.flatMap(z => z.members.namespaces))].sort()) {
    istioObject(scope, `Sidecar-${ns}`, NETWORKING, 'Sidecar', 'cdk8s-egress', ns, {
      egress: [{ hosts: ['*/*'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
  }
  // Istio's validation rejects a Gateway server without hosts: with no destination, the gateway gets nothing of ours.
  if (plan.destinations.length === 0) return;
  const labels = toKubeLabelSelector(egressPointSelector).matchLabels ?? {};
  istioObject(scope, `Gateway-${egressPoint}`, NETWORKING, 'Gateway', egressPoint, namespace, {
    selector: labels,
    servers: [{ port: { number: GATEWAY_PORT, name: 'https-mesh', protocol: 'HTTPS' }, hosts: plan.destinations.map(d => d.host), tls: { mode: 'ISTIO_MUTUAL' } }],
  });
  const subsets = new Map(plan.destinations.map(d => [d.name, subsetName(d)]));
  istioObject(scope, `DestinationRule-${egressPoint}`, NETWORKING, 'DestinationRule', `${egressPoint}-mesh`, namespace, {
    host: gatewayHost,
    subsets: plan.destinations.map(d => ({
      name: subsets.get(d.name),
      trafficPolicy: { portLevelSettings: [{ port: { number: GATEWAY_PORT }, tls: { mode: 'ISTIO_MUTUAL', sni: d.host } }] },
    })),
  });
  for (const dest of plan.destinations) {
    const ports = dest.ports.flatMap(p => [{ number: p.number, protocol: p.protocol }, ...(p.originate ? [{ number: p.originate.port, protocol: 'HTTPS' }] : [])]);
    istioObject(scope, `ServiceEntry-${dest.name}`, NETWORKING, 'ServiceEntry', dest.name, namespace, serviceEntrySpec(dest, ports));
    istioObject(scope, `VirtualService-${dest.name}`, NETWORKING, 'VirtualService', dest.name, namespace, {
      hosts: [dest.host],
      gateways: ['mesh', egressPoint],
      http: dest.ports.flatMap(p => [
        {
          name: `mesh-${portName(p)}`,
          match: [{ gateways: ['mesh'], port: p.number }],
          route: [{ destination: { host: gatewayHost, subset: subsets.get(dest.name), port: { number: GATEWAY_PORT } } }],
        },
        {
          name: `gateway-${portName(p)}`,
          match: [{ gateways: [egressPoint], port: GATEWAY_PORT }],
          route: [{ destination: { host: dest.host, port: { number: p.originate?.port ?? p.number } } }],
        },
      ]),
    });
    // The gateway originates TLS on the destination's TLS port (the route above sends it there).
    const origination = originationSpec(dest, p => p.originate!.port);
    if (origination) istioObject(scope, `DestinationRule-${dest.name}`, NETWORKING, 'DestinationRule', `${dest.name}-tls`, namespace, origination);
  }
  istioObject(scope, `AuthorizationPolicy-${egressPoint}`, SECURITY, 'AuthorizationPolicy', egressPoint, namespace, {
    selector: { matchLabels: labels },
    action: 'ALLOW',
    // At the gateway every host arrives on one port: the Host header tells the destinations apart.
    rules: plan.destinations.flatMap(d => authorizationRules(d.grants, { host: d.host, withPorts: false, hostsDefault: [d.host] })),
  });
}

function subsetName(d: MeshDestination): string {
  return toDnsLabel(d.name.replace(/\./g, '-'));
}
