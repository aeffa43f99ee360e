import { DataPathProblem } from './data-path-config-error';
import { DnsProxy6Config } from './domain-ipv6-config';
import { FieldChecker, Obj, parseDocAddress, show } from './json-field-checks';
import { Cidr, IpFamily } from '../model/cidr';

/**
 * Domain rules the node agent enforces (docs/domain-names.md): an optional, additive section of the data-path
 * document. Zones named here are also in `zones` (their members are how the agent finds their pods).
 */
export interface DomainEnforcementConfig {
  /** Where zone pods' DNS is sent (a link-local address on a dummy device the node agent owns) and its port. */
  readonly proxy: { readonly address: string; readonly port: number };
  /** Version 5: the proxy listens on this IPv6 address too, and zone pods' IPv6 DNS goes there (domain-ipv6-config.ts). */
  readonly proxy6?: DnsProxy6Config;
  /** A learned address is kept at least this long after an answer, whatever its TTL. */
  readonly minTtlSeconds: number;
  /** ...and at most this long. */
  readonly maxTtlSeconds: number;
  /** Addresses one answer may add for one name; more are left out (counted, logged). */
  readonly maxAddressesPerName: number;
  /** Learned addresses of one zone, all rules together. */
  readonly maxAddressesPerZone: number;
  readonly zones: DomainZoneConfig[];
  /**
   * DNS servers the node may answer for itself, e.g. NodeLocal DNSCache's 169.254.20.10 (the zones' DNS addresses and
   * the cluster DNS Service's): NodeLocal DNSCache NOTRACKs queries to them, so the DNAT never sees those. Zone pods'
   * queries to them are rewritten to the proxy before conntrack, each address to a port of its own, and the reply from
   * that port gets the address back (docs/domain-names.md). Absent: none.
   */
  readonly localServers?: DnsLocalServer[];
}

/** A DNS server address and the proxy port that stands for it. */
export interface DnsLocalServer {
  readonly address: string;
  readonly port: number;
}

export interface DomainZoneConfig {
  readonly zone: string;
  readonly rules: DomainRuleConfig[];
  /** The zone's other allowed external destinations (address rules, IPv4 and IPv6): never narrowed by the agent. */
  readonly addresses: string[];
}

export type DomainProtocol = 'tcp' | 'udp' | 'any';

export interface DomainRuleConfig {
  /** The rule's name (the set and counter names use its index). */
  readonly name: string;
  /** Exact names, or "*.example.com" (one or more labels below example.com, never example.com itself). */
  readonly patterns: string[];
  readonly protocol: DomainProtocol;
  /** "443" or "8000-8080"; empty means every port. */
  readonly ports: string[];
}

/** The proxy's address: link-local, next to the reply tunnels' 169.254.101.1, routed nowhere. */
export const DNS_PROXY_ADDRESS = '169.254.101.53';
/** Unprivileged, so the agent needs no CAP_NET_BIND_SERVICE. */
export const DNS_PROXY_PORT = 10053;

export const DOMAIN_DEFAULTS = {
  minTtlSeconds: 60,
  maxTtlSeconds: 86_400,
  maxAddressesPerName: 32,
  maxAddressesPerZone: 10_000,
};

const NAME = /^(\*\.)?([a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?$/;

/** Whether a DNS name (lower case, no trailing dot) matches a pattern: `*.` spans one or more labels, never the parent. */
export function domainMatches(pattern: string, name: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === name;
  return name.length > pattern.length - 1 && name.endsWith(pattern.slice(1));
}

/** Checks the `domains` section; zone names must be among `zones`. */
export function checkDomainConfig(value: unknown, zoneNames: Set<string>, ipv6 = false):
{ config?: DomainEnforcementConfig; problems: DataPathProblem[] } {
  const c = new DomainChecker(ipv6);
  const config = c.section('$.domains', value, zoneNames);
  return { config: c.problems.length ? undefined : config, problems: c.problems };
}

class DomainChecker extends FieldChecker {
  /** `ipv6`: version 5 or later, where `proxy6` is known (an older document with it is refused as unknown). */
  constructor(private readonly proxy6Known: boolean) {
    super();
  }

  public section(path: string, value: unknown, zoneNames: Set<string>): DomainEnforcementConfig | undefined {
    const d = this.object(path, value);
    if (!d) return undefined;
    this.unknownKeys(path, d, ['proxy', 'minTtlSeconds', 'maxTtlSeconds', 'maxAddressesPerName', 'maxAddressesPerZone', 'zones', 'localServers', ...this.proxy6Known ? ['proxy6'] : []]);
    const p = this.object(`${path}.proxy`, d.proxy) ?? {};
    this.unknownKeys(`${path}.proxy`, p, ['address', 'port']);
    const address = typeof p.address === 'string' && /^169\.254\.\d{1,3}\.\d{1,3}$/.test(p.address) ? p.address : undefined;
    if (!address) this.fail(`${path}.proxy.address`, `must be a link-local IPv4 address (169.254.x.y), got ${show(p.address)}`);
    const zones = this.array(`${path}.zones`, d.zones).map((z, i) => this.zone(`${path}.zones[${i}]`, z, zoneNames));
    this.unique(`${path}.zones`, zones.map((z) => z?.zone), 'zone');
    const local = d.localServers === undefined ? undefined : this.array(`${path}.localServers`, d.localServers).map((v, i) => this.localServer(`${path}.localServers[${i}]`, v));
    this.unique(`${path}.localServers`, (local ?? []).map((l) => l.address), 'address');
    const proxyPort = this.int(`${path}.proxy.port`, p.port, 1, 65535);
    this.unique(`${path}.localServers`, [proxyPort, ...(local ?? []).map((l) => l.port)], 'port');
    return {
      proxy: { address: address ?? '', port: proxyPort },
      minTtlSeconds: this.int(`${path}.minTtlSeconds`, d.minTtlSeconds, 0, 86_400),
      maxTtlSeconds: this.int(`${path}.maxTtlSeconds`, d.maxTtlSeconds, 1, 604_800),
      maxAddressesPerName: this.int(`${path}.maxAddressesPerName`, d.maxAddressesPerName, 1, 4096),
      maxAddressesPerZone: this.int(`${path}.maxAddressesPerZone`, d.maxAddressesPerZone, 1, 1_000_000),
      zones: zones.filter((z): z is DomainZoneConfig => z !== undefined),
      ...(local ? { localServers: local } : {}),
      ...(d.proxy6 !== undefined ? { proxy6: this.proxy6(`${path}.proxy6`, d.proxy6) } : {}),
    };
  }

  /** A unique-local IPv6 address (fc00::/7): never a pod's, never routed out. */
  private proxy6(path: string, value: unknown): DnsProxy6Config {
    const o = this.object(path, value) ?? {};
    this.unknownKeys(path, o, ['address']);
    const a = parseDocAddress(o.address, true);
    const ok = typeof a !== 'string' && a.family === IpFamily.IPV6 && /^f[cd][0-9a-f]{2}:/.test(a.text);
    if (!ok) this.fail(`${path}.address`, `must be a unique-local IPv6 address (fc00::/7), got ${show(o.address)}`);
    return { address: ok ? a.text : '' };
  }

  private localServer(path: string, value: unknown): DnsLocalServer {
    const o = this.object(path, value) ?? {};
    this.unknownKeys(path, o, ['address', 'port']);
    const address = typeof o.address === 'string' && /^(\d{1,3})(\.\d{1,3}){3}$/.test(o.address) && o.address.split('.').every((x) => Number(x) <= 255) ? o.address : undefined;
    if (!address) this.fail(`${path}.address`, `must be an IPv4 address, got ${show(o.address)}`);
    return { address: address ?? '', port: this.int(`${path}.port`, o.port, 1, 65535) };
  }

  private zone(path: string, value: unknown, zoneNames: Set<string>): DomainZoneConfig | undefined {
    const z = this.object(path, value);
    if (!z) return undefined;
    this.unknownKeys(path, z, ['zone', 'rules', 'addresses']);
    const zone = this.name(`${path}.zone`, z.zone);
    if (!zoneNames.has(zone)) this.fail(`${path}.zone`, `unknown zone "${zone}" (every domain zone must be in $.zones)`);
    const rules = this.array(`${path}.rules`, z.rules).map((r, i) => this.rule(`${path}.rules[${i}]`, r));
    const addresses = this.array(`${path}.addresses`, z.addresses).map((a, i) => {
      try {
        return Cidr.parse(String(a)).toString();
      } catch {
        this.fail(`${path}.addresses[${i}]`, `${show(a)} is not a CIDR`);
        return '';
      }
    });
    return { zone, rules: rules.filter((r): r is DomainRuleConfig => r !== undefined), addresses };
  }

  private rule(path: string, value: unknown): DomainRuleConfig | undefined {
    const r: Obj | undefined = this.object(path, value);
    if (!r) return undefined;
    this.unknownKeys(path, r, ['name', 'patterns', 'protocol', 'ports']);
    const patterns = this.array(`${path}.patterns`, r.patterns).map((n, i) => {
      if (typeof n !== 'string' || n.length > 253 || !NAME.test(n)) this.fail(`${path}.patterns[${i}]`, `must be a lower-case DNS name or "*.<name>", got ${show(n)}`);
      return String(n);
    });
    if (patterns.length === 0) this.fail(`${path}.patterns`, 'must name at least one domain');
    const protocol = r.protocol as DomainProtocol;
    if (!['tcp', 'udp', 'any'].includes(protocol)) this.fail(`${path}.protocol`, `must be tcp, udp or any, got ${show(r.protocol)}`);
    const ports = this.array(`${path}.ports`, r.ports).map((x, i) => this.portRange(`${path}.ports[${i}]`, x) ?? '');
    if (protocol === 'any' && ports.length) this.fail(`${path}.ports`, 'must be empty for protocol any');
    return { name: typeof r.name === 'string' ? r.name : String(r.name), patterns, protocol, ports };
  }
}
