/**
 * Flattens the egress model into the neutral rule list every exporter renders, once per export.
 *
 * Capirca's rule: never widen. A family whose destinations have no source of that family is dropped (with
 * a warning), never rendered as "any"; unknown sources are an error. Ports are de-duplicated and covered
 * ports removed; addresses are aggregated before any renderer sees them.
 */
import * as ipaddr from 'ipaddr.js';
import { aggregate, ofFamily, overlap } from './addresses';
import { FirewallAddress, FirewallExportInput, FirewallPort, FirewallRule, FirewallZone } from './firewall-export-input';
import { layer7Warning } from './layer7-warning';
import { ruleSources, zoneSourceAddresses } from './sourced-destinations';
import { Cidr } from '../model/cidr';
import { EgressExitMode, EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { Port } from '../model/port';

/** The flattened input, plus problems that must stop the export. */
export interface BuiltExportInput {
  readonly input: FirewallExportInput;
  readonly errors: string[];
}

// Link-local DNS (NodeLocal DNSCache) never reaches a perimeter.
const LINK_LOCAL = ['169.254.0.0/16', 'fe80::/10'];

/** Builds the export input for the named zones (all when `zoneNames` is undefined). */
export function buildExportInput(doc: EgressModelDocument, zoneNames?: string[]): BuiltExportInput {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const name of zoneNames ?? []) {
    if (!doc.zones.some(z => z.name === name)) errors.push(`zone "${name}" is not in the egress model; known zones: ${doc.zones.map(z => z.name).join(', ') || 'none'}`);
  }
  const selected = doc.zones.filter(z => zoneNames === undefined || zoneNames.includes(z.name))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const zones = selected.map(z => buildZone(doc, z, errors, warnings));
  warnSharedSources(zones, warnings);
  const layer7 = layer7Warning(selected);
  if (layer7) warnings.push(layer7);
  return { input: { zones, warnings }, errors };
}

function buildZone(doc: EgressModelDocument, zone: EgressZoneModel, errors: string[], warnings: string[]): FirewallZone {
  const rules: FirewallRule[] = [];
  const declared = [...zone.rules];
  const dnsRule = externalDnsRule(doc, zone);
  if (dnsRule) declared.push(dnsRule.rule);
  for (const rule of declared) {
    const extra = rule === dnsRule?.rule ? dnsRule.destinations : undefined;
    rules.push(...buildRule(doc, zone, rule, extra, errors, warnings));
  }
  const base = zoneSourceAddresses(doc, zone);
  const sources = aggregate([...base, ...rules.flatMap(r => r.sources)]);
  if (sources.length === 0) {
    warnings.push(problem(`zone "${zone.name}" has no source address a perimeter can see, so no default deny is exported for it`, zone.path));
  }
  return {
    name: zone.name,
    description: zone.description,
    path: zone.path,
    exitMode: zone.exit.mode,
    sources,
    rules,
  };
}

function buildRule(doc: EgressModelDocument, zone: EgressZoneModel, rule: EgressRuleModel, extraDestinations: FirewallAddress[] | undefined,
  errors: string[], warnings: string[]): FirewallRule[] {
  const where = `zone "${zone.name}" rule "${rule.name}"`;
  const sets = rule.destinationSets.map(n => doc.destinationSets.find(s => s.name === n)).filter(s => s !== undefined);
  const destinations = extraDestinations ?? aggregate(sets.flatMap(s => s!.cidrs.map(c => ({
    cidr: c.cidr,
    // An entry without its own description is described by its set.
    descriptions: c.descriptions.length > 0 ? c.descriptions : [s!.description ?? s!.name],
  }))));
  const domains = [...new Set(sets.flatMap(s => s!.domains))].sort();
  const ports = firewallPorts(rule, where, errors);
  if (!ports) return [];

  const out: FirewallRule[] = [];
  const ruleId = `${zone.name}-${rule.name}`;
  for (const pair of ruleSources(doc, zone, rule, destinations)) {
    const hasDomains = pair.withDomains && domains.length > 0;
    if (pair.destinations.length === 0 && !hasDomains) continue;
    if (pair.sources.length === 0) {
      const hint = pair.mode === EgressExitMode.NAT_OUTGOING ? 'new ClusterNetwork(chart, \'cluster\', { nodeCidrs: [...] })' : undefined;
      errors.push(problem(`${where} ${pair.unknownReason}`, rule.path, hint));
      continue;
    }
    const common = {
      zone: zone.name,
      rule: rule.name,
      description: rule.description,
      path: rule.path,
      sourceDescription: pair.description,
    };
    for (const family of [4, 6]) {
      const dst = ofFamily(pair.destinations, family);
      if (dst.length === 0) continue;
      const src = ofFamily(pair.sources, family);
      const famPorts = ports.filter(p => portFamily(p) === 0 || portFamily(p) === family);
      if (src.length === 0) {
        warnings.push(problem(`${where}: IPv${family} destinations ${dst.map(d => d.cidr).join(', ')} dropped from the export: the perimeter sees no IPv${family} source for them (${pair.description})`, rule.path));
        continue;
      }
      if (famPorts.length === 0) {
        warnings.push(problem(`${where}: IPv${family} destinations ${dst.map(d => d.cidr).join(', ')} dropped from the export: none of the ports ${ports.map(p => p.text).join(', ')} exists in IPv${family}`, rule.path));
        continue;
      }
      out.push({ ...common, id: `${ruleId}${pair.idSuffix}-v${family}`, ipVersion: family, sources: src, destinations: dst, domains: [], ports: famPorts });
    }
    if (hasDomains) {
      out.push({ ...common, id: `${ruleId}${pair.idSuffix}-dns`, ipVersion: 0, sources: pair.sources, destinations: [], domains, ports });
    }
  }
  return out;
}

/** Ports of a rule for a perimeter: de-duplicated, covered ports removed, sorted; undefined on error. */
function firewallPorts(rule: EgressRuleModel, where: string, errors: string[]): FirewallPort[] | undefined {
  const ports = rule.ports.length === 0 ? [Port.allTraffic()] : rule.ports.map(m => Port.fromModel(m));
  const named = ports.filter(p => p.portName !== undefined);
  if (named.length > 0) {
    errors.push(problem(`${where} port "${named.map(p => p.toString()).join(', ')}" is a named port, which only in-cluster workloads resolve; a perimeter firewall cannot match it`, rule.path, 'use the port number'));
    return undefined;
  }
  const kept = ports.filter((p, i) => !ports.some((q, j) => j !== i && p.coveredBy(q) && (!q.coveredBy(p) || j < i)));
  return kept.map(toFirewallPort).sort(comparePorts);
}

function toFirewallPort(p: Port): FirewallPort {
  const text = p.toString();
  if (!p.protocol) return { protocol: 'all', protocolNumber: 0, text };
  return {
    protocol: p.protocol.name.toLowerCase(),
    protocolNumber: p.protocol.number,
    fromPort: p.fromPort,
    toPort: p.toPort,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    text,
  };
}

function comparePorts(a: FirewallPort, b: FirewallPort): number {
  return a.protocolNumber - b.protocolNumber
    || (a.fromPort ?? -1) - (b.fromPort ?? -1)
    || (a.icmpType ?? -1) - (b.icmpType ?? -1)
    || (a.icmpCode ?? -1) - (b.icmpCode ?? -1);
}

/** The family a port exists in: 4 for ICMP, 6 for ICMPv6, 0 for both. */
export function portFamily(p: FirewallPort): number {
  if (p.protocolNumber === 1) return 4;
  if (p.protocolNumber === 58) return 6;
  return 0;
}

/**
 * DNS servers outside the cluster (a VPC resolver, a corporate DNS) are perimeter traffic too; cluster DNS
 * and link-local caches are not.
 */
function externalDnsRule(doc: EgressModelDocument, zone: EgressZoneModel): { rule: EgressRuleModel; destinations: FirewallAddress[] } | undefined {
  if (!zone.dns.enabled || zone.dns.cidrs.length === 0) return undefined;
  const inside = aggregate([...doc.clusterCidrs, ...LINK_LOCAL].map(cidr => ({ cidr })));
  const all = aggregate(zone.dns.cidrs.map(cidr => ({ cidr, descriptions: ['DNS server'] })));
  const destinations = all.filter(a => !overlap([a], inside).length);
  if (destinations.length === 0) return undefined;
  const name = zone.rules.some(r => r.name === 'dns') ? 'dns-servers' : 'dns';
  return {
    rule: { name, path: zone.path, description: 'DNS servers outside the cluster', destinationSets: [], ports: zone.dns.ports, bypassGateway: false },
    destinations,
  };
}

/**
 * One warning for every group of zones that share source addresses (one line however many zones: 50 zones
 * behind the same node NAT are one group, not 1,225 pairs). Prefixes overlap only by containment, so a
 * sweep in address order finds each group under its widest prefix.
 */
function warnSharedSources(zones: FirewallZone[], warnings: string[]): void {
  const entries = zones.flatMap(z => z.sources.map(s => ({ cidr: Cidr.parse(s.cidr), zone: z.name })));
  const key = (c: Cidr) => `${c.family}|${ipaddr.parse(c.networkAddress).toByteArray().map(b => b.toString(16).padStart(2, '0')).join('')}|${String(c.prefixLength).padStart(3, '0')}`;
  entries.sort((x, y) => (key(x.cidr) < key(y.cidr) ? -1 : key(x.cidr) > key(y.cidr) ? 1 : 0));
  const groups: { root: Cidr; zones: Set<string> }[] = [];
  for (const e of entries) {
    const open = groups[groups.length - 1];
    if (open && open.root.family === e.cidr.family && open.root.contains(e.cidr)) open.zones.add(e.zone);
    else groups.push({ root: e.cidr, zones: new Set([e.zone]) });
  }
  const shared = groups.filter(g => g.zones.size > 1);
  if (shared.length === 0) return;
  const text = shared.map(g => `${g.root} (zones ${[...g.zones].sort().map(z => `"${z}"`).join(', ')})`).join('; ');
  warnings.push(problem(`zones share source addresses, so a perimeter cannot tell their traffic apart and allows from those addresses the union of their rules: ${text}`,
    undefined, 'give a zone its own NAT pool or gateway'));
}
