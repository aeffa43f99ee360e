import { Yaml } from 'cdk8s';
import { aerleonIcmpCode, aerleonIcmpType } from './aerleon-icmp';
import { AERLEON_TARGETS } from './aerleon-targets';
import { portObjectId } from './device-objects';
import { FirewallAddress, FirewallExportInput, FirewallPort, FirewallRule } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, platformName, ruleSummary } from '../platform-text';
import { addressRules, EVERY_PROTOCOL, platformCapabilities, PlatformExporter } from './platform-exporter';

// Aerleon's protocol names by number (aclgenerator.Term.PROTO_MAP); no other number can be written.
const PROTOCOL_NAMES: Record<number, string> = {
  0: 'hopopt',
  1: 'icmp',
  2: 'igmp',
  3: 'ggp',
  4: 'ipip',
  6: 'tcp',
  8: 'egp',
  9: 'igp',
  17: 'udp',
  27: 'rdp',
  41: 'ipv6',
  43: 'ipv6-route',
  44: 'fragment',
  46: 'rsvp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  59: 'ipv6-nonxt',
  60: 'ipv6-opts',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  115: 'l2tp',
  132: 'sctp',
  136: 'udplite',
};
const WITH_PORTS = ['tcp', 'udp', 'sctp', 'udplite'];
/** Every token the export defines starts with this, so it never redefines one of the user's own. */
const AERLEON_TOKEN_PREFIX = 'CDK8S_EGRESS_';
// Term names: iptables' chain names take 24 characters (aerleon's iptables _TERM_MAX_LENGTH), the shortest.
const TERM = { maxLength: 24, invalid: /[^a-z0-9-]+/g, replacement: '-' };
const DIR = 'aerleon';
const TERMS_FILE = 'includes/cdk8s-egress-terms.yaml';

/** One Aerleon term, as the YAML policy spells it. */
type Term = Record<string, string | string[]>;

/**
 * Aerleon (the maintained successor of Capirca) YAML: network and service definitions, the zones' terms in an
 * include file, and a policy whose filters include those terms for every generator in AERLEON_TARGETS. `aclgen`
 * turns it into each platform's configuration, so a network team reviews the output of generators it already
 * trusts. No domain names (Aerleon's FQDN support is per generator); ICMP types Aerleon has a name for.
 *
 * Ownership: the definitions define only tokens named CDK8S_EGRESS_*, and the policy only filters called cdk8s-egress
 * (CDK8S-EGRESS), one per generator and family. Term names are the rules' ids, within iptables' 24 characters.
 */
export class AerleonExporter extends PlatformExporter {
  constructor() {
    super('aerleon', platformCapabilities(['ipv6', 'icmp-types', 'icmp-codes'], EVERY_PROTOCOL));
  }

  public unsupported(input: FirewallExportInput): string[] {
    const problems: string[] = [];
    for (const zone of input.zones) {
      for (const rule of addressRules(zone)) {
        for (const p of rule.ports) {
          const why = portProblem(p);
          if (why) problems.push(`zone "${rule.zone}" rule "${rule.rule}" port "${p.text}" ${why} (at ${rule.path})`);
        }
      }
    }
    return problems;
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const networks: Record<string, { values: { address: string; comment?: string }[] }> = {};
    const services: Record<string, { port: string; protocol: string }[]> = {};
    const network = (id: string, addresses: FirewallAddress[]) => {
      const name = token(id);
      networks[name] = {
        values: addresses.map(a => ({ address: a.cidr, ...(a.descriptions.length > 0 ? { comment: platformComment(a.descriptions.join('; '), 200) } : {}) })),
      };
      return name;
    };
    const terms: Term[] = [];
    for (const zone of input.zones) {
      for (const rule of addressRules(zone)) {
        const src = network(`${rule.id}-src`, rule.sources);
        const dst = network(`${rule.id}-dst`, rule.destinations);
        const matches = portMatches(rule, services);
        for (const match of matches) {
          terms.push({
            'name': platformName(`${rule.id}${matches.length > 1 ? match.suffix : ''}`, TERM),
            'comment': platformComment(ruleSummary(rule), 200),
            'source-address': src,
            'destination-address': dst,
            ...match.fields,
            'action': 'accept',
          });
        }
      }
    }
    for (const zone of input.zones) {
      if (zone.sources.length === 0) continue;
      terms.push({
        'name': platformName(`${zone.name}-default-deny`, TERM),
        'comment': `${zone.name}: default deny`,
        'source-address': network(`${zone.name}-sources`, zone.sources),
        'action': 'deny',
      });
    }
    const header = (what: string, lines: string[]) => [
      `# cdk8s-egress perimeter export (Aerleon ${what}). Generated from the egress model; do not edit by hand.`,
      ...lines.map(l => `# ${l}`),
    ].join('\n');
    const owns = `Owns only the tokens ${AERLEON_TOKEN_PREFIX}* and the filters cdk8s-egress / CDK8S-EGRESS; terms are named <zone>-<rule>-v4 (-v6).`;
    return [
      {
        path: `${DIR}/def/cdk8s-egress-networks.yaml`,
        content: `${header('network definitions', [owns, 'Keep it in your definitions directory beside your own files; no name can clash with yours.'])}\n${Yaml.stringify({ networks })}`,
      },
      {
        path: `${DIR}/def/cdk8s-egress-services.yaml`,
        content: `${header('service definitions', [owns])}\n${Yaml.stringify({ services })}`,
      },
      {
        path: `${DIR}/policies/${TERMS_FILE}`,
        content: `${header('terms', [
          owns,
          'Each zone\'s allow terms in order, then a deny per zone for its sources: include it in a filter of your own with',
          `  "- include: ${TERMS_FILE}", before your terms for the zones' traffic.`,
        ])}\n${Yaml.stringify({ terms })}`,
      },
      ...AERLEON_TARGETS.map(t => ({
        path: `${DIR}/policies/pol/cdk8s-egress-${t.target}.yaml`,
        content: `${header(`policy for ${t.target}`, [
          owns,
          `Generate with: aclgen --base_directory ${DIR}/policies --definitions_directory ${DIR}/def --output_directory <out>`,
          `  (every pol/ file; delete the platforms you do not use, or --policy_file ${DIR}/policies/pol/cdk8s-egress-${t.target}.yaml).`,
        ])}\n${Yaml.stringify({
          filters: t.filters.map(f => ({
            header: { targets: { [t.target]: f.options }, comment: `cdk8s-egress for ${t.platform} (IPv${f.families.join(' and IPv')})` },
            terms: [{ include: TERMS_FILE }],
          })),
        })}`,
      })),
    ];
  }
}

// pf's table names (31 characters) are the shortest a generator takes whole.
const TOKEN = { maxLength: 31, invalid: /[^A-Z0-9]+/g, replacement: '_', upper: true };

function token(id: string): string {
  return platformName(`${AERLEON_TOKEN_PREFIX}${id.toUpperCase()}`, TOKEN);
}

/** One term's protocol fields per group of the rule's ports: Aerleon crosses a term's protocols with its ports. */
function portMatches(rule: FirewallRule, services: Record<string, { port: string; protocol: string }[]>): { suffix: string; fields: Term }[] {
  if (rule.ports.some(p => p.protocol === 'all')) return [{ suffix: '', fields: {} }];
  const out: { suffix: string; fields: Term }[] = [];
  const byProtocol = new Map<string, FirewallPort[]>();
  const bare: string[] = [];
  for (const p of rule.ports) {
    const name = PROTOCOL_NAMES[p.protocolNumber];
    if (WITH_PORTS.includes(name) && p.fromPort !== undefined) byProtocol.set(name, [...byProtocol.get(name) ?? [], p]);
    else if (p.icmpType === undefined) bare.push(name);
  }
  for (const [protocol, ports] of byProtocol) {
    const names = ports.map(p => {
      const name = token(portObjectId(p));
      services[name] = [{ port: p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}-${p.toPort}`, protocol }];
      return name;
    });
    out.push({ suffix: `-${protocol}`, fields: { 'protocol': protocol, 'destination-port': names } });
  }
  if (bare.length > 0) out.push({ suffix: `-${bare.join('-')}`, fields: { protocol: bare } });
  for (const p of rule.ports.filter(q => q.icmpType !== undefined)) {
    const type = aerleonIcmpType(p.protocol === 'icmpv6' ? 6 : 4, p.icmpType!)!;
    const fields: Term = { 'protocol': PROTOCOL_NAMES[p.protocolNumber], 'icmp-type': type };
    if (p.icmpCode !== undefined) fields['icmp-code'] = `${p.icmpCode}`;
    out.push({ suffix: `-${portObjectId(p)}`, fields });
  }
  return out;
}

function portProblem(p: FirewallPort): string | undefined {
  if (p.protocol === 'all') return undefined;
  if (PROTOCOL_NAMES[p.protocolNumber] === undefined) return `uses protocol ${p.protocolNumber}, which Aerleon has no name for (it writes only the protocols of its table)`;
  if (p.icmpType === undefined) return undefined;
  const type = aerleonIcmpType(p.protocol === 'icmpv6' ? 6 : 4, p.icmpType);
  if (type === undefined) return `matches ICMP type ${p.icmpType}, which Aerleon has no name for (matching every type would widen the rule)`;
  if (p.icmpCode !== undefined && !aerleonIcmpCode(type, p.icmpCode)) return `matches ICMP code ${p.icmpCode} of ${type}, which Aerleon does not take for that type`;
  return undefined;
}
