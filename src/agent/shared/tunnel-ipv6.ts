// The derived address packs the underlay address into two 16-bit groups.
/* eslint-disable no-bitwise */
import { DataPathConfig, GatewayConfig, ZoneConfig } from '../../datapath';

/**
 * IPv6 through the tunnels, whose underlay stays IPv4: VXLAN carries Ethernet frames, so an IPv6 packet rides the same
 * device, FDB entry and inner MAC as an IPv4 one. Only the next hop differs: an IPv6 route needs an IPv6 gateway (the
 * kernel refuses IPv4 nexthops in IPv6 routes and groups: "IPv6 routes can not use an IPv4 nexthop"), so each replica
 * gets a link-local address of its own, derived from its underlay address on both sides, with a permanent neighbour
 * entry to its tunnel MAC. Nobody holds these addresses: no neighbour discovery crosses the tunnel.
 */
export function tunnelNextHopV6(underlayIp: string): string {
  const [a, b, c, d] = underlayIp.split('.').map(Number);
  // fe80::6567:<underlay address in two groups> ("eg").
  return `fe80::6567:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/** The gateway's IPv6 reply next hop on a zone's tunnel (the IPv6 twin of reply-tunnel.ts's REPLY_NEXTHOP). */
export const REPLY_NEXTHOP_V6 = 'fe80::6567:0:1';

export const isIpv6 = (ip: string): boolean => ip.includes(':');

/** The gateway's IPv6 egress IPs (none for an IPv4-only gateway). */
export function ipv6EgressIps(gateway: GatewayConfig): string[] {
  return gateway.egressIps.filter(isIpv6);
}

/** Whether a zone's IPv6 traffic goes through its gateway: the gateway has an IPv6 egress IP to leave with. */
export function steersIpv6(config: DataPathConfig, zone: ZoneConfig): boolean {
  if (!zone.gateway) return false;
  const gw = config.gateways.find((g) => g.name === zone.gateway);
  return !!gw && ipv6EgressIps(gw).length > 0;
}
