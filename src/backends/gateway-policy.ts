import { Construct } from 'constructs';
import {
  CalicoAction, CalicoNetworkPolicy, CalicoNetworkPolicySpec, CalicoPolicyType, CalicoPort, CalicoProtocol, CalicoRule,
} from '../calico';
import { GatewayDataPathSettings } from '../datapath/compile-data-path';
import { SteeredZone } from '../datapath/gateway-routing';
import { CidrAggregator } from '../model/cidr-aggregation';
import { EgressModelDocument, EgressRuleModel } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { inClusterRanges } from '../model/in-cluster-traffic';
import { Port } from '../model/port';
import { Selector } from '../model/selector';
import { CALICO_NAMESPACE_NAME_LABEL, GATEWAY_LABEL, RULE_ANNOTATION, ZONE_LABEL } from '../model/vocabulary';

/** Where the gateway may be reached from, besides the nodes' tunnels and probes. */
export interface GatewayPolicyInputs {
  /** Pod selector of the gateway's pods (Calico grammar). */
  readonly selector: string;
  /** Node address ranges (IPv4): the only sources of tunnel traffic and readiness probes. */
  readonly nodeCidrs: string[];
  /** Namespaces whose pods may scrape the metrics port. */
  readonly metricsNamespaces: string[];
  /** Cluster ranges (both families): never an external destination of the gateway. */
  readonly clusterCidrs: string[];
  /** The families the gateway has egress addresses of (4, 6 or both). */
  readonly families: Array<4 | 6>;
  /** IPv6 node ranges: where IPv6 probe answers go. */
  readonly nodeCidrs6: string[];
}

const rule = (name: string) => ({ annotations: { [RULE_ANNOTATION]: name } });

/**
 * The gateway pods' own Calico policy, defence in depth with the data path's allow-list: ingress only
 * VXLAN and the health port from nodes (and metrics from the monitoring namespaces); egress only the
 * destinations of the zones that leave through this gateway (`zones`: those only), on their ports, with ICMP types
 * kept exact (a domain rule: its ports to every external address), plus the probe answers and the replies' tunnels back to the nodes. Everything else is denied explicitly,
 * so no later policy can widen it.
 */
export function gatewayPolicySpec(settings: GatewayDataPathSettings, zones: SteeredZone[], inputs: GatewayPolicyInputs): CalicoNetworkPolicySpec {
  const fromNodes = { nets: inputs.nodeCidrs };
  const ingress: CalicoRule[] = [
    { action: CalicoAction.ALLOW, protocol: CalicoProtocol.UDP, source: fromNodes, destination: { ports: [CalicoPort.of(settings.vxlanPort)] }, metadata: rule('tunnels-from-nodes') },
    { action: CalicoAction.ALLOW, protocol: CalicoProtocol.TCP, source: fromNodes, destination: { ports: [CalicoPort.of(settings.healthPort)] }, metadata: rule('probes-from-nodes') },
  ];
  if (inputs.metricsNamespaces.length > 0) {
    const names = inputs.metricsNamespaces.map(n => JSON.stringify(n)).join(', ');
    ingress.push({
      action: CalicoAction.ALLOW,
      protocol: CalicoProtocol.TCP,
      source: { namespaceSelector: `${CALICO_NAMESPACE_NAME_LABEL} in {${names}}` },
      destination: { ports: [CalicoPort.of(settings.healthPort)] },
      metadata: rule('metrics'),
    });
  }
  ingress.push({ action: CalicoAction.DENY, metadata: rule('default-deny') });

  // Found in the real-cluster lab (docs/egress-gateway.md): Felix applies this policy to what the gateway *forwards*
  // too. The node agents' data-path probes come back out of the gateway SNATed, to the node, on the health port: without
  // that rule the final deny dropped every probe answer. The replies go back inside VXLAN to the node their request came
  // from, from the pod's own address: Felix sees a new UDP flow to the node's tunnel port, nothing de-SNATed.
  const egress: CalicoRule[] = [
    { action: CalicoAction.ALLOW, protocol: CalicoProtocol.UDP, destination: { nets: inputs.nodeCidrs, ports: [CalicoPort.of(settings.healthPort)] }, metadata: rule('probe-answers-to-nodes') },
    { action: CalicoAction.ALLOW, protocol: CalicoProtocol.UDP, destination: { nets: inputs.nodeCidrs, ports: [CalicoPort.of(settings.vxlanPort)] }, metadata: rule('reply-tunnels-to-nodes') },
  ];
  // Each family the gateway has egress addresses of: its destinations (IPv6 with ICMPv6 types), and IPv6 probe answers.
  for (const family of inputs.families) {
    if (family === 6 && inputs.nodeCidrs6.length > 0) {
      egress.push({ action: CalicoAction.ALLOW, protocol: CalicoProtocol.UDP, destination: { nets: inputs.nodeCidrs6, ports: [CalicoPort.of(settings.healthPort)] }, metadata: rule('ipv6-probe-answers-to-nodes') });
    }
    const cluster = inputs.clusterCidrs.filter(c => c.includes(':') === (family === 6));
    for (const z of zones) {
      for (const r of z.zone.rules) {
        const raw = z.destinations.filter(d => d.rule === r && d.gateway === settings.name && d.ipVersion === family).map(d => d.cidr);
        if (raw.length === 0) continue;
        const nets = cluster.length ? CidrAggregator.subtract(raw, cluster) : CidrAggregator.merge(raw);
        if (nets.length > 0) egress.push(...ruleAllows(r, z, family, { nets }));
      }
      // Domain rules: their ports to every external address. The source node's agent admitted only looked-up
      // addresses into the tunnel (docs/domain-names.md "Through a gateway"); Felix here keeps ports and families.
      for (const r of z.domainRules) {
        egress.push(...ruleAllows(r, z, family, { nets: [family === 4 ? '0.0.0.0/0' : '::/0'], ...(cluster.length ? { notNets: CidrAggregator.merge(cluster) } : {}) }));
      }
    }
  }
  egress.push({ action: CalicoAction.DENY, metadata: rule('default-deny') });

  return {
    order: 100,
    selector: inputs.selector,
    types: [CalicoPolicyType.INGRESS, CalicoPolicyType.EGRESS],
    ingress,
    egress,
  };
}

/** One zone rule's Allows on the gateway: its ports (ICMP types exact) to `destination`, in one family. */
function ruleAllows(r: EgressRuleModel, z: SteeredZone, family: 4 | 6, destination: { nets: string[]; notNets?: string[] }): CalicoRule[] {
  const metadata = { annotations: { [RULE_ANNOTATION]: r.name, [ZONE_LABEL]: z.zone.name } };
  if (r.ports.length === 0) return [{ action: CalicoAction.ALLOW, ipVersion: family, destination, metadata }];
  const out: CalicoRule[] = [];
  for (const model of r.ports) {
    const p = Port.fromModel(model);
    const proto = p.protocol!;
    if (proto.isIcmp) {
      if (proto.ipVersion !== family) continue;
      const icmp = p.icmpType === undefined ? undefined : { type: p.icmpType, code: p.icmpCode };
      const protocol = family === 4 ? CalicoProtocol.ICMP : CalicoProtocol.ICMPV6;
      out.push({ action: CalicoAction.ALLOW, ipVersion: family, protocol, icmp, destination, metadata });
      continue;
    }
    const ports = p.fromPort === undefined ? undefined
      : [p.fromPort === p.toPort ? CalicoPort.of(p.fromPort) : CalicoPort.range(p.fromPort, p.toPort!)];
    const protocol = CalicoProtocol.parse(proto.name);
    out.push({ action: CalicoAction.ALLOW, ipVersion: family, protocol, destination: { ...destination, ports }, metadata });
  }
  return out;
}

/** A cdk8s-egress gateway as its policy needs it. */
export interface GatewayPolicyGateway {
  readonly settings: GatewayDataPathSettings;
  readonly namespace: string;
  /** Extra IPv4 tunnel sources besides the cluster's node ranges. */
  readonly tunnelSources: string[];
  /** Namespaces whose pods may scrape the metrics port. */
  readonly scraperNamespaces: string[];
}

/** The gateway's IPv4 tunnel sources: the cluster's IPv4 node ranges and its own extra sources. */
function tunnelSources(doc: EgressModelDocument, gateway: GatewayPolicyGateway): string[] {
  return [...doc.nodeCidrs.filter(c => !c.includes(':')), ...gateway.tunnelSources];
}

/** What keeps a gateway's policy from being rendered (or from being the only claim on its pool names). */
export function gatewayPolicyProblems(doc: EgressModelDocument, gateway: GatewayPolicyGateway): string[] {
  const { name, path } = gateway.settings;
  if (tunnelSources(doc, gateway).length === 0) {
    return [problem(`nodeCidrs "[]" are unknown, so the policy of gateway "${name}" cannot admit tunnel traffic from nodes only`, path, 'declare ClusterNetwork nodeCidrs (IPv4) or tunnelSourceCidrs')];
  }
  const clash = doc.natPools.find(p => p.name === `${name}-egress` || p.name.startsWith(`${name}-egress-`));
  return clash ? [problem(`NAT pool name "${clash.name}" is also the IPPool of gateway "${name}"`, [clash.path, path])] : [];
}

/** Renders the gateway's Calico NetworkPolicy under `scope` (the gateway construct). */
export function renderGatewayPolicy(scope: Construct, doc: EgressModelDocument, zones: SteeredZone[],
  gateway: GatewayPolicyGateway): CalicoNetworkPolicy {
  const name = gateway.settings.name;
  const mine = zones.filter(z => z.gateway.name === name);
  return new CalicoNetworkPolicy(scope, 'Policy', {
    metadata: { name: `egress-gateway-${name}`.slice(0, 63).replace(/-+$/, ''), namespace: gateway.namespace, labels: { [GATEWAY_LABEL]: name } },
    spec: gatewayPolicySpec(gateway.settings, mine, {
      selector: Selector.labelEquals(GATEWAY_LABEL, name).toString(),
      nodeCidrs: CidrAggregator.merge(tunnelSources(doc, gateway)),
      metricsNamespaces: [...new Set(gateway.scraperNamespaces)].sort(),
      clusterCidrs: inClusterRanges(doc),
      families: gatewayFamilies(doc, name),
      nodeCidrs6: CidrAggregator.merge(doc.nodeCidrs.filter(c => c.includes(':'))),
    }),
  });
}

/** The families of a gateway's egress addresses, IPv4 first. */
function gatewayFamilies(doc: EgressModelDocument, name: string): Array<4 | 6> {
  const ips = doc.gateways.find(g => g.name === name)?.egressIps ?? [];
  return ([4, 6] as const).filter(f => ips.some(ip => ip.includes(':') === (f === 6)));
}
