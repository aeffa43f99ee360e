import { Cidr } from '../model/cidr';
import { DestinationSetModel, EgressExitMode, EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { InClusterTraffic, inClusterOf } from '../model/in-cluster-traffic';
import { Port } from '../model/port';
import { ZoneSources } from '../model/zone-source';

const IN_CLUSTER_WORDS: { [choice: string]: string } = {
  [InClusterTraffic.ALLOW]: 'allowed',
  [InClusterTraffic.PASS]: 'left to other policies',
  [InClusterTraffic.DENY]: 'denied',
};

/**
 * A picture of the whole estate for reviewers: zones → how they leave (NAT, pool, gateway with egress IPs)
 * → destination sets, with ports on the edges. As Markdown with a Mermaid diagram (renders natively where
 * merge requests are reviewed) and as Graphviz DOT.
 */
export class EgressMap {
  /** Markdown: a Mermaid flowchart plus a table per zone. */
  public static toMarkdown(doc: EgressModelDocument): string {
    const g = EgressMap.graph(doc);
    const lines = ['# Egress map', '', '```mermaid', 'flowchart LR'];
    for (const n of g.nodes) {
      const label = mermaidText(n.label);
      lines.push(`  ${n.id}${n.kind === 'zone' ? `(["${label}"])` : n.kind === 'exit' ? `{{"${label}"}}` : `["${label}"]`}`);
    }
    for (const e of g.edges) lines.push(e.label ? `  ${e.from} -->|"${mermaidText(e.label)}"| ${e.to}` : `  ${e.from} --> ${e.to}`);
    lines.push('```', '');
    for (const zone of doc.zones) {
      lines.push(`## zone \`${zone.name}\``, '');
      if (zone.description) lines.push(zone.description, '');
      const ns = zone.members.namespaces.length ? zone.members.namespaces.join(', ') : '(by label)';
      lines.push(`- namespaces: ${ns}${zone.members.namespaceSelector ? ` or \`${zone.members.namespaceSelector}\`` : ''}; pods: \`${zone.members.podSelector}\``);
      lines.push(`- leaves via: ${exitLabel(doc, zone)}`);
      lines.push(`- DNS: ${zone.dns.enabled ? `${zone.dns.namespace} \`${zone.dns.podSelector}\`` : 'not allowed'}; in-cluster: ${IN_CLUSTER_WORDS[inClusterOf(zone)]}${zone.allowApiServer ? '; API server allowed' : ''}`);
      lines.push('', '| rule | destinations | ports | description |', '|---|---|---|---|');
      for (const rule of zone.rules) {
        lines.push(`| ${rule.name} | ${rule.destinationSets.join(', ')} | ${portsLabel(rule.ports)} | ${(rule.description ?? '').replace(/\|/g, '\\|')} |`);
      }
      if (zone.rules.length === 0) lines.push('| (none: DNS only) | | | |');
      lines.push('');
    }
    return lines.join('\n');
  }

  /** Graphviz DOT of the same graph (also drawn as egress-map.svg). */
  public static toDot(doc: EgressModelDocument): string {
    const g = EgressMap.graph(doc);
    const lines = [
      'digraph egress {',
      '  rankdir=LR;',
      `  label=${dotString('Egress map: zone → exit (the source addresses the destination sees) → destinations, ports on the edges')};`,
      '  labelloc=t; fontname="Helvetica";',
      '  node [fontname="Helvetica", margin="0.2,0.08"];',
      '  edge [fontname="Helvetica", fontsize=11];',
    ];
    for (const n of g.nodes) {
      const shape = n.kind === 'zone' ? 'box, style=rounded' : n.kind === 'exit' ? 'hexagon' : 'folder';
      lines.push(`  ${n.id} [label=${dotString(wrap(n.label))}, shape=${shape}];`);
    }
    for (const e of g.edges) lines.push(`  ${e.from} -> ${e.to}${e.label ? ` [label=${dotString(e.label)}]` : ''};`);
    lines.push('}', '');
    return lines.join('\n');
  }

  private static graph(doc: EgressModelDocument) {
    const nodes: { id: string; label: string; kind: 'zone' | 'exit' | 'set' }[] = [];
    const edges: { from: string; to: string; label?: string }[] = [];
    const ids = new Map<string, string>();
    const id = (key: string) => {
      if (!ids.has(key)) ids.set(key, `n${ids.size}`);
      return ids.get(key)!;
    };
    for (const set of doc.destinationSets) {
      const addrs = [...set.cidrs.map(c => c.cidr), ...set.domains];
      const shown = addrs.length > 4 ? `${addrs.slice(0, 4).join(', ')}, … (${addrs.length})` : addrs.join(', ');
      nodes.push({ id: id(`set:${set.name}`), label: `${set.name}\n${shown}`, kind: 'set' });
    }
    const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
    const exitNode = (label: string) => {
      const key = `exit:${label}`;
      if (!ids.has(key)) nodes.push({ id: id(key), label, kind: 'exit' });
      return id(key);
    };
    for (const zone of doc.zones) {
      const z = id(`zone:${zone.name}`);
      const ns = zone.members.namespaces.join(', ');
      nodes.push({ id: z, label: `zone ${zone.name}\n${ns}${zone.rules.length === 0 ? '\n(DNS only)' : ''}`, kind: 'zone' });
      const zoneExit = exitNode(exitLabel(doc, zone));
      edges.push({ from: z, to: zoneExit });
      const drawn = new Set([zoneExit]);
      for (const rule of zone.rules) {
        // A rule leaves the way the data path sends it: through another gateway (via) or none (bypassGateway),
        // and under NAT outgoing a pool's no-NAT destinations see the pod addresses.
        for (const s of rule.destinationSets) {
          for (const label of exitsOf(doc, zone, rule, sets.get(s))) {
            const ruleExit = exitNode(label);
            if (!drawn.has(ruleExit)) {
              drawn.add(ruleExit);
              edges.push({ from: z, to: ruleExit });
            }
            edges.push({ from: ruleExit, to: id(`set:${s}`), label: `${zone.name}: ${portsLabel(rule.ports)}` });
          }
        }
      }
    }
    return { nodes, edges };
  }

  private constructor() {}
}

/** The exits a rule's traffic to one set takes (two when only part of the set is a no-NAT destination). */
function exitsOf(doc: EgressModelDocument, zone: EgressZoneModel, rule: EgressRuleModel, set: DestinationSetModel | undefined): string[] {
  const base = ZoneSources.of(doc, zone, rule);
  if (!set || set.cidrs.length === 0 || base.mode !== EgressExitMode.NAT_OUTGOING) return [base.description];
  const noNat = doc.natPools.filter(p => zone.exit.natPools.includes(p.name) && p.natOutgoing)
    .flatMap(p => p.noNatDestinations).map(c => Cidr.parse(c));
  const out = new Set<string>();
  // only a pool's no-NAT destinations change the exit here: they see the pod addresses
  const exitFor = (address: string) => {
    const s = ZoneSources.forDestination(doc, zone, address, rule);
    return s.mode === EgressExitMode.POD_ADDRESS ? s.description : base.description;
  };
  for (const c of set.cidrs) {
    const cidr = Cidr.parse(c.cidr);
    out.add(exitFor(cidr.networkAddress));
    // a no-NAT destination inside a wider prefix: that part sees the pod addresses
    const inner = noNat.find(n => n.family === cidr.family && cidr.contains(n) && !n.sameAs(cidr));
    if (inner) out.add(exitFor(inner.networkAddress));
  }
  return [...out];
}

/** How a zone leaves, with the addresses the outside sees. */
function exitLabel(doc: EgressModelDocument, zone: EgressZoneModel): string {
  return ZoneSources.of(doc, zone).description;
}

function portsLabel(ports: { protocol?: string }[]): string {
  return ports.length === 0 ? 'all' : ports.map(p => Port.fromModel(p).toString()).join(' ');
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>');
}

/** Long labels broken after commas (about 32 characters a line) so that boxes stay narrow. */
function wrap(label: string): string {
  return label.split('\n').map(line => {
    const out: string[] = [];
    let current = '';
    for (const part of line.split(/(?<=, )/)) {
      if (current && (current + part).length > 32) {
        out.push(current.trimEnd());
        current = '';
      }
      current += part;
    }
    out.push(current);
    return out.join('\n');
  }).join('\n');
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
