import { DNS_PROXY_ADDRESS, DNS_PROXY_PORT, DnsLocalServer, DOMAIN_DEFAULTS, DomainEnforcementConfig, DomainRuleConfig, DomainZoneConfig } from './domain-config';
import { EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { located, problem, ValidationErrors } from '../model/errors';
import { Port } from '../model/port';

/** Backends whose domain rules the cdk8s-egress node agent enforces (the others match names themselves). */
export const AGENT_DOMAIN_BACKENDS = ['calico'];

/** A rule's domain names (every set it selects), sorted; empty for an address rule. */
export function ruleDomains(doc: EgressModelDocument, rule: EgressRuleModel): string[] {
  const names = new Set<string>();
  for (const s of doc.destinationSets) if (rule.destinationSets.includes(s.name)) s.domains.forEach(d => names.add(d.toLowerCase().replace(/\.$/, '')));
  return [...names].sort();
}

/** Whether the node agent enforces this zone's domain rules (an enforced zone of an agent backend with a domain rule). */
export function usesAgentDomains(doc: EgressModelDocument, zone: EgressZoneModel): boolean {
  return AGENT_DOMAIN_BACKENDS.includes(zone.backend) && !zone.staged && zone.rules.some(r => ruleDomains(doc, r).length > 0);
}

/** The `domains` section of the data-path document: per zone, its domain rules and its other addresses. */
export function compileDomainConfig(doc: EgressModelDocument, errors: ValidationErrors): DomainEnforcementConfig | undefined {
  const zones: DomainZoneConfig[] = [];
  for (const zone of doc.zones.filter(z => usesAgentDomains(doc, z))) {
    const rules: DomainRuleConfig[] = [];
    const addresses = new Set<string>();
    for (const rule of zone.rules) {
      const patterns = ruleDomains(doc, rule);
      for (const s of doc.destinationSets) if (rule.destinationSets.includes(s.name)) s.cidrs.forEach(c => addresses.add(c.cidr));
      if (patterns.length === 0) continue;
      const where = located(`rule "${rule.name}" of zone "${zone.name}"`, rule.path);
      // Through a gateway too: this gate decides at the source node, before steering (compile-gateway-domains.ts).
      for (const entry of domainPorts(rule, where, errors)) rules.push({ name: rule.name, patterns, ...entry });
    }
    zones.push({ zone: zone.name, rules, addresses: [...addresses].sort() });
  }
  if (zones.length === 0) return undefined;
  const localServers = dnsLocalServers(doc);
  return { proxy: { address: DNS_PROXY_ADDRESS, port: DNS_PROXY_PORT }, ...DOMAIN_DEFAULTS, zones, ...(localServers.length ? { localServers } : {}) };
}

/**
 * The DNS addresses the agent rewrites before conntrack (NodeLocal DNSCache NOTRACKs them): the single IPv4 addresses
 * among the domain zones' DNS `cidrs` and the cluster DNS Service's address, sorted, each with its proxy port
 * (the proxy's port + 1, + 2, ...; the zones' Calico policy allows exactly those).
 */
export function dnsLocalServers(doc: EgressModelDocument): DnsLocalServer[] {
  const addresses = new Set<string>();
  for (const z of doc.zones.filter(zone => usesAgentDomains(doc, zone) && zone.dns.enabled)) {
    for (const c of z.dns.cidrs) if (/^[\d.]+\/32$/.test(c)) addresses.add(c.replace(/\/32$/, ''));
  }
  const service = doc.dnsServiceAddress?.replace(/\/32$/, '');
  if (service && /^[\d.]+$/.test(service)) addresses.add(service);
  return [...addresses].sort().map((address, i) => ({ address, port: DNS_PROXY_PORT + 1 + i }));
}

/** A domain rule's ports by protocol (TCP, UDP, or every protocol); other protocols and named ports are reported. */
export function domainPorts(rule: EgressRuleModel, where: string, errors: ValidationErrors): { protocol: DomainRuleConfig['protocol']; ports: string[] }[] {
  if (rule.ports.length === 0) return [{ protocol: 'any', ports: [] }];
  const byProto = new Map<'tcp' | 'udp', string[]>();
  for (const model of rule.ports) {
    const port = Port.fromModel(model);
    const name = port.protocol!.name.toLowerCase();
    if (name !== 'tcp' && name !== 'udp') {
      errors.add(problem(`port "${port}" of ${where} is ${port.protocol!.name}, but the node agent matches domain rules on TCP, UDP or every protocol`, undefined,
        'put these ports in a rule of their own with addresses'));
      continue;
    }
    if (port.portName !== undefined) {
      errors.add(problem(`port "${port}" of ${where} is a named port, which has no number outside the cluster`, undefined, 'give the port number'));
      continue;
    }
    const list = byProto.get(name) ?? [];
    if (port.fromPort !== undefined) list.push(port.fromPort === port.toPort ? String(port.fromPort) : `${port.fromPort}-${port.toPort}`);
    else list.splice(0, list.length, '*');
    byProto.set(name, list);
  }
  return [...byProto].map(([protocol, ports]) => ({ protocol, ports: ports.includes('*') ? [] : [...new Set(ports)].sort() }));
}
