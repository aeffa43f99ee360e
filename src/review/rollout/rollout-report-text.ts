import { PortCount, RolloutGroup, RolloutReport } from './rollout-report';

// The rollout report as people read it: plain text for a terminal, Markdown for a pull request comment.
// JSON is the report object itself (the CLI prints it).

function portsText(ports: PortCount[]): string {
  return ports.map(p => `${p.protocol}${p.port ? `/${p.port}` : ''} (${p.connections} connection${p.connections === 1 ? '' : 's'})`).join(', ');
}

function summary(report: RolloutReport): string {
  const zones = report.zones.length > 0 ? report.zones.join(', ') : 'none of the app\'s zones is staged';
  return `${report.records} flow record${report.records === 1 ? '' : 's'} read; ${report.denied} would be denied by a staged zone (zones: ${zones})`;
}

function byZone(groups: RolloutGroup[]): Map<string, RolloutGroup[]> {
  const out = new Map<string, RolloutGroup[]>();
  for (const g of groups) out.set(g.zone, [...(out.get(g.zone) ?? []), g]);
  return out;
}

/** Plain text, one group per block, the proposed line last so it can be copied. */
export function rolloutReportText(report: RolloutReport): string[] {
  const lines = [summary(report)];
  if (report.groups.length === 0) lines.push('nothing a staged zone would deny: the zones can be enforced as they are');
  for (const [zone, groups] of byZone(report.groups)) {
    const first = groups[0];
    lines.push('', `zone ${zone} (${first.staged ? 'staged' : 'enforced by now'}, ${first.zonePath})`);
    for (const g of groups) {
      lines.push(`  ${g.destination.description}`);
      lines.push(`    ports: ${portsText(g.ports)}; ${g.records} record${g.records === 1 ? '' : 's'}, ${g.packets} packets; first seen ${g.firstSeen}, last seen ${g.lastSeen}`);
      lines.push(`    from: ${g.sources.join(', ')}`);
      if (g.proposal) {
        lines.push(`    ${g.proposal.code}`);
        if (g.proposal.note) lines.push(`    // ${g.proposal.note}`);
      } else if (g.inCluster) {
        lines.push(`    ${g.inCluster}`);
      }
    }
  }
  if (report.foreignPolicies.length > 0) lines.push('', `note: the flows name staged policies no zone of this app has: ${report.foreignPolicies.join(', ')}`);
  if (report.unrecordedAddresses) lines.push('', `note: an address observer's set was full, connections not recorded (node/zone: count): ${report.unrecordedAddresses.join(', ')}`);
  return lines;
}

/** Markdown for a pull request comment: a table per zone, the proposed rules in one TypeScript block. */
export function rolloutReportMarkdown(report: RolloutReport): string {
  const out = ['### Egress rollout report', '', `${summary(report)}.`];
  if (report.groups.length === 0) out.push('', 'Nothing a staged zone would deny: the zones can be enforced as they are.');
  for (const [zone, groups] of byZone(report.groups)) {
    out.push('', `#### Zone \`${zone}\` (${groups[0].staged ? 'staged' : 'enforced by now'})`, '');
    out.push('| Destination | Ports | Connections | First seen | Last seen | From |', '|---|---|---:|---|---|---|');
    for (const g of groups) {
      out.push(`| ${cell(g.destination.description)} | ${cell(portsText(g.ports))} | ${g.connections} | ${g.firstSeen} | ${g.lastSeen} | ${cell(g.sources.join(', '))} |`);
    }
    const proposals = groups.filter(g => g.proposal).map(g => g.proposal!);
    if (proposals.length > 0) {
      out.push('', 'Proposed rules:', '', '```ts');
      for (const p of proposals) out.push(...(p.note ? [`// ${p.note}`] : []), p.code);
      out.push('```');
    }
    const inside = groups.filter(g => g.inCluster);
    if (inside.length > 0) {
      out.push('', 'Not rules:', '');
      for (const g of inside) out.push(`- **${cell(g.destination.description)}**: ${cell(g.inCluster!)}`);
    }
  }
  if (report.foreignPolicies.length > 0) out.push('', `Note: the flows name staged policies no zone of this app has: ${report.foreignPolicies.map(p => `\`${p}\``).join(', ')}.`);
  if (report.unrecordedAddresses) out.push('', `Note: an address observer's set was full, connections not recorded (node/zone: count): ${report.unrecordedAddresses.join(', ')}.`);
  return out.join('\n');
}

function cell(text: string): string {
  return text.replace(/[|*]/g, c => `\\${c}`).replace(/\n/g, ' ');
}
