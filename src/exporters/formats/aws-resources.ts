/**
 * AWS resources for a zone, independent of the IaC syntax (CloudFormation and Terraform render these):
 * a security group (egress rules), a network ACL (egress entries, explicit deny, and the inbound
 * return-traffic entries a stateless ACL needs), and a Network Firewall stateful rule group (Suricata
 * rules in strict order: address rules, then domain rules on TLS SNI / HTTP Host), plus one rule group that
 * drops everything else from every zone's sources, to be referenced last in the firewall policy. Security groups and ACLs have no source match: they filter the ENIs / subnets they are
 * attached to, which must be those that carry the zone's sources.
 */
import { problem } from '../../model/errors';
import { FirewallExportInput, FirewallPort, FirewallRule, FirewallZone } from '../firewall-export-input';
import { platformComment, platformName, ruleSummary } from '../platform-text';
import { platformCapabilities, PlatformExporter } from './platform-exporter';

/** One security group egress rule. */
export interface SgRule {
  readonly ipVersion: number;
  readonly cidr: string;
  /** "tcp", "udp", "icmp", "icmpv6", "-1" or a protocol number. */
  readonly protocol: string;
  /** Port, or ICMP type (-1 = all); undefined for "-1" and bare protocol numbers. */
  readonly fromPort?: number;
  /** Port, or ICMP code (-1 = all). */
  readonly toPort?: number;
  readonly description: string;
}

/** One network ACL entry. */
export interface NaclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly action: 'allow' | 'deny';
  readonly ipVersion: number;
  readonly cidr: string;
  /** Protocol number, -1 for all. */
  readonly protocol: number;
  readonly portRange?: { from: number; to: number };
  readonly icmp?: { type: number; code: number };
}

/** A zone's AWS resources. */
export interface AwsZoneResources {
  readonly zone: FirewallZone;
  /** PascalCase, for CloudFormation logical ids. */
  readonly logicalName: string;
  /** snake_case, for Terraform resource names. */
  readonly tfName: string;
  /** Physical name ("cdk8s-egress-<zone>"). */
  readonly name: string;
  readonly description: string;
  readonly sgRules: SgRule[];
  readonly naclEntries: NaclEntry[];
  readonly ruleGroup: { name: string; capacity: number; rulesString: string; description: string };
  /** Rules only the Network Firewall enforces (domains). */
  readonly domainOnlyRules: string[];
}

// Security group descriptions: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$* (max 255).
const SG_TEXT = /[^a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g;
const EPHEMERAL = { from: 1024, to: 65535 };
const NACL_DENY = 32766;

/** Protocols the three AWS resources can all express without widening (SCTP ports would be all ports). */
export const AWS_PROTOCOLS = ['all', 'tcp', 'udp', 'icmp', 'icmpv6'];

/** What both AWS formats (CloudFormation and Terraform: the same resources) can express. */
export const AWS_CAPABILITIES = platformCapabilities(['domains', 'wildcard-domains', 'ipv6', 'icmp-types', 'icmp-codes'], AWS_PROTOCOLS);

/** Problems beyond the declared capabilities. */
function awsUnsupported(input: FirewallExportInput): string[] {
  const problems: string[] = [];
  for (const zone of input.zones) {
    for (const rule of zone.rules.filter(r => r.ipVersion === 0)) {
      const nonTcp = rule.ports.filter(p => p.protocol !== 'tcp' && p.protocol !== 'all');
      if (nonTcp.length > 0) {
        problems.push(problem(`zone "${rule.zone}" rule "${rule.rule}" matches domain names on ${nonTcp.map(p => p.text).join(', ')}; AWS Network Firewall reads names from TLS SNI and HTTP Host, i.e. TCP only`, rule.path));
      }
    }
    const egressEntries = zone.rules.filter(r => r.ipVersion !== 0).reduce((n, r) => n + r.destinations.length * r.ports.length, 0);
    if (egressEntries > NACL_DENY - 100 - 2) {
      problems.push(problem(`zone "${zone.name}" needs ${egressEntries} network ACL entries, more than rule numbers allow`, zone.path));
    }
  }
  return problems;
}

/** How a format spells a field: CloudFormation's PascalCase property or Terraform's snake_case argument. */
export type AwsFieldStyle = 'cloudformation' | 'terraform';

/**
 * A zone's stateful Network Firewall rule group (strict order), as CloudFormation's properties or Terraform's
 * arguments: the same fields in the same order, each named in the format's own style.
 */
export function ruleGroupFields(group: AwsZoneResources['ruleGroup'], style: AwsFieldStyle, tags: unknown): { [field: string]: unknown } {
  const cfn = style === 'cloudformation';
  return {
    [cfn ? 'RuleGroupName' : 'name']: group.name,
    [cfn ? 'Type' : 'type']: 'STATEFUL',
    [cfn ? 'Capacity' : 'capacity']: group.capacity,
    [cfn ? 'Description' : 'description']: group.description,
    [cfn ? 'RuleGroup' : 'rule_group']: {
      [cfn ? 'RulesSource' : 'rules_source']: { [cfn ? 'RulesString' : 'rules_string']: group.rulesString },
      [cfn ? 'StatefulRuleOptions' : 'stateful_rule_options']: { [cfn ? 'RuleOrder' : 'rule_order']: 'STRICT_ORDER' },
    },
    [cfn ? 'Tags' : 'tags']: tags,
  };
}

/** Base of the two AWS formats: the same resources, capabilities and limits, written as CloudFormation or Terraform. */
export abstract class AwsExporter extends PlatformExporter {
  protected constructor(format: string) {
    super(format, AWS_CAPABILITIES);
  }

  public unsupported(input: FirewallExportInput): string[] {
    return awsUnsupported(input);
  }
}

/** The AWS resources of every zone. */
export function awsResources(input: FirewallExportInput): AwsZoneResources[] {
  return input.zones.map(zone => {
    const name = platformName(`cdk8s-egress-${zone.name}`, { maxLength: 128, invalid: /[^a-zA-Z0-9-]+/g, replacement: '-' });
    const sources = zone.sources.map(s => s.cidr).join(', ');
    const description = platformComment(`cdk8s-egress zone ${zone.name}${zone.description ? ` (${zone.description})` : ''}; attach where the sources are: ${sources || 'none'}`, 255, SG_TEXT, ' ');
    const addressRules = zone.rules.filter(r => r.ipVersion !== 0);
    return {
      zone,
      logicalName: zone.name.split(/[^a-zA-Z0-9]+/).map(w => w.charAt(0).toUpperCase() + w.slice(1)).join(''),
      tfName: `zone_${zone.name.replace(/[^a-zA-Z0-9_]+/g, '_')}`,
      name,
      description,
      sgRules: addressRules.flatMap(sgRules),
      naclEntries: naclEntries(addressRules),
      ruleGroup: {
        name,
        description: platformComment(`cdk8s-egress zone ${zone.name}: allowed egress (the drops are in cdk8s-egress-default-deny)`, 512),
        ...suricata(zone),
      },
      domainOnlyRules: zone.rules.filter(r => r.ipVersion === 0).map(r => `${r.zone}/${r.rule} (${r.domains.join(', ')})`),
    };
  });
}

function sgRules(rule: FirewallRule): SgRule[] {
  const out: SgRule[] = [];
  for (const dst of rule.destinations) {
    const description = platformComment(`${ruleSummary(rule)}${dst.descriptions.length ? ` - ${dst.descriptions.join('; ')}` : ''}`, 255, SG_TEXT, ' ');
    for (const p of rule.ports) {
      out.push({ ipVersion: rule.ipVersion, cidr: dst.cidr, description, ...sgProtocol(p) });
    }
  }
  return out;
}

function sgProtocol(p: FirewallPort): { protocol: string; fromPort?: number; toPort?: number } {
  if (p.protocol === 'all') return { protocol: '-1' };
  if (p.protocol === 'tcp' || p.protocol === 'udp') return { protocol: p.protocol, fromPort: p.fromPort ?? 0, toPort: p.toPort ?? 65535 };
  if (p.protocol === 'icmp' || p.protocol === 'icmpv6') return { protocol: p.protocol, fromPort: p.icmpType ?? -1, toPort: p.icmpCode ?? -1 };
  return { protocol: String(p.protocolNumber) };
}

function naclEntries(rules: FirewallRule[]): NaclEntry[] {
  const out: NaclEntry[] = [];
  let egress = 100;
  let ingress = 100;
  const returns = new Set<string>();
  for (const rule of rules) {
    for (const dst of rule.destinations) {
      for (const p of rule.ports) {
        const base = { egress: true, action: 'allow' as const, ipVersion: rule.ipVersion, cidr: dst.cidr };
        if (p.protocol === 'all') out.push({ ...base, ruleNumber: egress++, protocol: -1 });
        else if (p.protocol === 'tcp' || p.protocol === 'udp') out.push({ ...base, ruleNumber: egress++, protocol: p.protocolNumber, portRange: { from: p.fromPort ?? 0, to: p.toPort ?? 65535 } });
        else if (p.protocol === 'icmp' || p.protocol === 'icmpv6') out.push({ ...base, ruleNumber: egress++, protocol: p.protocolNumber, icmp: { type: p.icmpType ?? -1, code: p.icmpCode ?? -1 } });
        else out.push({ ...base, ruleNumber: egress++, protocol: p.protocolNumber });
        // Stateless: replies come back from the destination (to ephemeral ports for TCP/UDP).
        const key = `${dst.cidr}|${p.protocol === 'all' ? -1 : p.protocolNumber}`;
        if (returns.has(key)) continue;
        returns.add(key);
        const back = { egress: false, action: 'allow' as const, ipVersion: rule.ipVersion, cidr: dst.cidr };
        if (p.protocol === 'all') out.push({ ...back, ruleNumber: ingress++, protocol: -1 });
        else if (p.protocol === 'tcp' || p.protocol === 'udp') out.push({ ...back, ruleNumber: ingress++, protocol: p.protocolNumber, portRange: EPHEMERAL });
        else if (p.protocol === 'icmp' || p.protocol === 'icmpv6') out.push({ ...back, ruleNumber: ingress++, protocol: p.protocolNumber, icmp: { type: -1, code: -1 } });
        else out.push({ ...back, ruleNumber: ingress++, protocol: p.protocolNumber });
      }
    }
  }
  // Explicit, although ACLs end in an implicit deny: the export states the posture, not the platform default.
  out.push({ ruleNumber: NACL_DENY - 1, egress: true, action: 'deny', ipVersion: 4, cidr: '0.0.0.0/0', protocol: -1 });
  out.push({ ruleNumber: NACL_DENY, egress: true, action: 'deny', ipVersion: 6, cidr: '::/0', protocol: -1 });
  return out;
}

/** Suricata rules for the zone (strict order), and the capacity to reserve. */
function suricata(zone: FirewallZone): { rulesString: string; capacity: number } {
  const lines: string[] = [];
  let sid = 1;
  const msg = (text: string) => platformComment(text, 200, /["\\;]/g, ',');
  const list = (cidrs: string[]) => `[${cidrs.join(',')}]`;
  for (const rule of zone.rules) {
    const src = list(rule.sources.map(s => s.cidr));
    const summary = msg(ruleSummary(rule));
    if (rule.ipVersion !== 0) {
      const dst = list(rule.destinations.map(d => d.cidr));
      for (const [proto, ports, options] of suricataMatches(rule.ports)) {
        lines.push(`pass ${proto} ${src} any -> ${dst} ${ports} (msg:"${summary}"; ${options}sid:${sid++}; rev:1;)`);
      }
      continue;
    }
    const tcpPorts = rule.ports.some(p => p.protocol === 'all' || p.fromPort === undefined)
      ? 'any'
      : list(rule.ports.map(p => p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}:${p.toPort}`));
    // The handshake precedes the name; only established flows carrying an allowed name pass on.
    lines.push(`pass tcp ${src} any -> any ${tcpPorts} (msg:"${summary} (handshake)"; flow:not_established,to_server; sid:${sid++}; rev:1;)`);
    for (const domain of rule.domains) {
      const match = domain.startsWith('*.')
        ? `content:"${domain.slice(1)}"; nocase; endswith;`
        : `content:"${domain}"; nocase; startswith; endswith;`;
      lines.push(`pass tls ${src} any -> any ${tcpPorts} (msg:"${summary}"; tls.sni; ${match} flow:to_server,established; sid:${sid++}; rev:1;)`);
      lines.push(`pass http ${src} any -> any ${tcpPorts} (msg:"${summary}"; http.host; ${match} flow:to_server,established; sid:${sid++}; rev:1;)`);
    }
  }
  return { rulesString: lines.length ? `${lines.join('\n')}\n` : '', capacity: capacityFor(lines.length) };
}

/**
 * The drops for every zone's sources, in a rule group of their own: zones may share source addresses, so
 * the drops must come after every zone's pass rules, i.e. last in the strict-order firewall policy.
 */
export function awsDenyGroup(input: FirewallExportInput): { name: string; description: string; capacity: number; rulesString: string } | undefined {
  const lines = input.zones.filter(z => z.sources.length > 0).map((z, i) =>
    `drop ip [${z.sources.map(s => s.cidr).join(',')}] any -> any any (msg:"${platformComment(`${z.name}: default deny`, 200, /["\\;]/g, ',')}"; sid:${i + 1}; rev:1;)`);
  if (lines.length === 0) return undefined;
  return {
    name: 'cdk8s-egress-default-deny',
    description: 'cdk8s-egress: drop for every zone source; reference it after the zone rule groups',
    capacity: capacityFor(lines.length),
    rulesString: `${lines.join('\n')}\n`,
  };
}

// Capacity cannot change after creation: reserve room for growth.
function capacityFor(rules: number): number {
  return Math.max(100, Math.ceil((rules * 2) / 100) * 100);
}

function suricataMatches(ports: FirewallPort[]): [string, string, string][] {
  if (ports.some(p => p.protocol === 'all')) return [['ip', 'any', '']];
  const out: [string, string, string][] = [];
  for (const proto of [...new Set(ports.map(p => p.protocol))]) {
    const list = ports.filter(p => p.protocol === proto);
    if (proto === 'tcp' || proto === 'udp') {
      const whole = list.some(p => p.fromPort === undefined);
      const items = list.map(p => p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}:${p.toPort}`);
      out.push([proto, whole ? 'any' : `[${items.join(',')}]`, '']);
    } else if (proto === 'icmp' || proto === 'icmpv6') {
      // Suricata's "icmp" covers ICMP and ICMPv6; the addresses decide the family.
      if (list.some(p => p.icmpType === undefined)) out.push(['icmp', 'any', '']);
      else for (const p of list) out.push(['icmp', 'any', `itype:${p.icmpType}; ${p.icmpCode !== undefined ? `icode:${p.icmpCode}; ` : ''}`]);
    }
  }
  return out;
}
