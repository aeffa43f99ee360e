import { DestinationSetModel, EgressZoneModel } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';

/**
 * ICMP belongs to one IP family: `Port.icmp()` applies to a rule's IPv4 destinations, `Port.icmpv6()` to its
 * IPv6 ones (every backend renders it so: a Calico rule with ICMP carries that family's `ipVersion`). A rule with
 * both families keeps each ICMP port for its own family. An ICMP port of a family none of the rule's destinations
 * has would match nothing and silently vanish from the policy, so it is an error. Domain names may resolve to
 * either family, so a rule with one is not judged.
 */
export function icmpFamilyProblems(zones: readonly EgressZoneModel[], sets: readonly DestinationSetModel[]): string[] {
  const byName = new Map(sets.map(s => [s.name, s]));
  const seen = new Set<string>(); // a rule shared by several zones (AllowExternal) is reported once
  const out: string[] = [];
  for (const rule of zones.flatMap(z => z.rules)) {
    if (seen.has(rule.path)) continue;
    seen.add(rule.path);
    // only ICMP ports become Port objects: every rule of the estate passes here
    const icmp = rule.ports.filter(m => m.protocol !== undefined && Protocol.parse(m.protocol).isIcmp).map(m => Port.fromModel(m));
    if (icmp.length === 0) continue;
    const used = rule.destinationSets.map(n => byName.get(n)).filter((s): s is DestinationSetModel => s !== undefined);
    const cidrs = used.flatMap(s => s.cidrs);
    if (cidrs.length === 0 || used.some(s => s.domains.length > 0)) continue;
    for (const port of icmp) {
      const family = port.protocol!.ipVersion;
      if (cidrs.some(c => c.ipVersion === family)) continue;
      const shown = cidrs.slice(0, 3).map(c => c.cidr).join(', ') + (cidrs.length > 3 ? ', …' : '');
      out.push(problem(`ports "${port}" of rule "${rule.name}" is ${port.protocol!.name}, which is IPv${family} only, but every destination of the rule is IPv${family === 4 ? 6 : 4} (${shown}): the port would match nothing`,
        rule.path, family === 4
          ? 'use Port.icmpv6() for IPv6 destinations (echo request is ICMPv6 type 128, not 8); a rule with IPv4 destinations too keeps Port.icmp() for those'
          : 'use Port.icmp() for IPv4 destinations (echo request is ICMP type 8, not 128); a rule with IPv6 destinations too keeps Port.icmpv6() for those'));
    }
  }
  return out;
}
