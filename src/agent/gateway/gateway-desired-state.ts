import { renderGatewayRuleset } from './gateway-ruleset';
import { LEARNED_NODE_AGEING_S, renderReplyTunnel, ReplyTunnel } from './reply-tunnel';
import { addIpv6Replies } from './reply-tunnel-ipv6';
import { DataPathConfig, GatewayConfig, ZoneConfig } from '../../datapath';
import { NetOwnership, NetState, EMPTY_NET_STATE } from '../shared/net-state';
import { NftRuleset } from '../shared/nft-table-swap';
import { ipv6EgressIps, isIpv6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName, TUNNEL_DEVICE_PREFIX, vxlanMacFor } from '../shared/vxlan-mac';

export interface GatewayObserved {
  /** The replica's own underlay address (the pod IP), which nodes tunnel to. */
  readonly podIp: string;
  /** IPv4 addresses present in this network namespace. */
  readonly localAddresses: string[];
}

export interface GatewayDesired {
  readonly gateway: GatewayConfig;
  readonly zones: ZoneConfig[];
  /** The IPv4 egress IP this replica SNATs to; undefined when it holds none (then it forwards no IPv4). */
  readonly egressIp?: string;
  /** The IPv6 egress IP, for a gateway with IPv6 egress IPs; undefined when it holds none (then it forwards no IPv6). */
  readonly egressIp6?: string;
  /** Whether the gateway has IPv6 egress IPs (then it forwards and returns IPv6 too). */
  readonly ipv6: boolean;
  /** The filtering table; the agent applies it with planTableSwap. */
  readonly ruleset: NftRuleset;
  /** The way back: replies into the tunnel they came from (reply-tunnel.ts). */
  readonly reply: ReplyTunnel;
  readonly net: NetState;
}

/** The replica's network namespace is its own: the reply tables and rules use the node agent's numbers there too. */
export function gatewayOwnership(config: DataPathConfig): NetOwnership {
  const n = config.node;
  return {
    devicePrefix: TUNNEL_DEVICE_PREFIX,
    nexthopIds: [0, -1],
    tables: [n.routeTableBase, n.routeTableBase + 255],
    markMask: n.markMask,
    rulePriority: n.rulePriority,
  };
}

/**
 * Pure: what one replica of `gatewayName` wants: one VXLAN device per zone it serves (inner MAC
 * derived from its pod IP, so nodes need no ARP through the tunnel), and the allow-list + SNAT table.
 * SNAT goes to the first of the gateway's egress IPs this replica holds (assigned by whatever places
 * egress IPs: a secondary interface, a cloud ENI, the test harness).
 */
export function computeGatewayDesired(config: DataPathConfig, gatewayName: string, observed: GatewayObserved): GatewayDesired {
  const gateway = config.gateways.find((g) => g.name === gatewayName);
  if (!gateway) throw new Error(`unknown gateway "${gatewayName}" (configured: ${config.gateways.map((g) => g.name).join(', ') || 'none'})`);
  const zones = config.zones.filter((z) => z.gateway === gatewayName).sort((a, b) => a.id - b.id);
  const held = (ip: string) => observed.localAddresses.includes(ip);
  const egressIp = gateway.egressIps.find((ip) => !isIpv6(ip) && held(ip));
  const ipv6 = ipv6EgressIps(gateway).length > 0;
  const egressIp6 = ipv6EgressIps(gateway).find(held);
  const mac = vxlanMacFor(observed.podIp);
  const replyTo = [...config.cluster.nodeCidrs, ...config.cluster.podCidrs];
  const v6 = ipv6 ? { egressIp: egressIp6, probeReplyTo: replyTo.filter(isIpv6) } : undefined;
  const c = config.cluster;
  const cluster = [...c.podCidrs, ...c.serviceCidrs, ...c.nodeCidrs];
  const ruleset = renderGatewayRuleset(zones, egressIp, { port: gateway.healthPort, replyTo }, v6, cluster);
  const replyV4 = renderReplyTunnel(config, zones, { podIp: observed.podIp, port: gateway.vxlanPort });
  const reply = ipv6 ? addIpv6Replies(config, zones, replyV4) : replyV4;
  const links = zones.map((z) => ({
    name: tunnelDeviceName(z.vni!), vni: z.vni!, port: gateway.vxlanPort, mac, learningAgeing: LEARNED_NODE_AGEING_S,
  }));
  return {
    gateway,
    zones,
    egressIp,
    egressIp6,
    ipv6,
    ruleset,
    reply,
    net: { ...EMPTY_NET_STATE, links, neighbors: reply.neighbors, routes: reply.routes, rules: reply.rules },
  };
}
