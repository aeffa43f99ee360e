import { FirewallPort } from '../firewall-export-input';

/** The ports of one protocol in a rule, as both netfilter front ends (nftables, iptables) match them. */
export interface NetfilterPortGroup {
  /** Lower-case protocol ("tcp", "icmpv6", a number as text, …). */
  readonly protocol: string;
  /** How the group is matched: port ranges, ICMP types, or the protocol alone (every port, every type). */
  readonly match: 'ports' | 'icmp' | 'protocol';
  /** The rule's ports of this protocol, in order. */
  readonly ports: FirewallPort[];
}

const PORTED = ['tcp', 'udp', 'sctp'];

/**
 * A rule's ports grouped by protocol, in first-seen order; undefined when the rule allows every protocol.
 * One protocol with any "every port" (or "every type") entry is matched by the protocol alone: the entry
 * covers the others.
 */
export function netfilterPortGroups(ports: FirewallPort[]): NetfilterPortGroup[] | undefined {
  if (ports.some(p => p.protocol === 'all')) return undefined;
  const byProtocol = new Map<string, FirewallPort[]>();
  for (const p of ports) byProtocol.set(p.protocol, [...(byProtocol.get(p.protocol) ?? []), p]);
  return [...byProtocol].map(([protocol, list]) => {
    const icmp = protocol === 'icmp' || protocol === 'icmpv6';
    const whole = PORTED.includes(protocol) ? list.some(p => p.fromPort === undefined)
      : icmp ? list.some(p => p.icmpType === undefined) : true;
    return { protocol, ports: list, match: whole ? 'protocol' : icmp ? 'icmp' : 'ports' };
  });
}
