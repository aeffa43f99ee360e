import { checkAddressObserverConfig, OBSERVE_VERSION } from './address-observer-config';
import {
  AllowEntryConfig, AllowProtocol, DataPathConfig, GatewayConfig, NatPoolConfig, NodeDataPathConfig,
  ZoneConfig, DATA_PATH_CONFIG_VERSION, DATA_PATH_DEFAULTS,
} from './data-path-config';
import { DataPathConfigError, DataPathProblem } from './data-path-config-error';
import { checkDomainConfig } from './domain-config';
import { DOMAINS_IPV6_VERSION } from './domain-ipv6-config';
import { checkGatewayDomainRules, GATEWAY_DOMAINS_VERSION } from './gateway-domain-config';
import { DocCidr, FieldChecker, LABEL_NAME, labelKeyProblem, notJson, parseDocAddress, parseDocCidr, show } from './json-field-checks';

/** Zone ids share the mark field with replica pins: 1..63 are zones, 64.. are pins. */
export const MAX_ZONE_ID = 63;
const PROTOCOLS: AllowProtocol[] = ['tcp', 'udp', 'icmp', 'any'];
/**
 * The versions the agents read: each reads the versions before its own, so a library upgrade that keeps writing an
 * older version never strands them. (The released version-1 agents read only 1: they refuse version 2 with
 * "$.version: must be 1, got 2" and keep running their last good rules.)
 */
export const READABLE_VERSIONS: readonly number[] = Array.from({ length: DATA_PATH_CONFIG_VERSION }, (_, i) => i + 1);

/**
 * Validates a data-path document (JSON text or an already parsed value) and returns it typed, with
 * the optional `node` section filled from the defaults. Pure: no I/O.
 *
 * @throws DataPathConfigError listing every problem as `<json path>: <reason>`.
 */
export function parseDataPathConfig(json: string | unknown, readable: readonly number[] = READABLE_VERSIONS): DataPathConfig {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      throw new DataPathConfigError('data-path configuration', [{ path: '$', reason: `malformed JSON: ${(e as Error).message}` }]);
    }
  }
  const foreign: DataPathProblem[] = [];
  notJson(doc, '$', new Set(), foreign);
  if (foreign.length > 0) throw new DataPathConfigError('data-path configuration', foreign);
  const c = new Checker(readable);
  const config = c.document(doc);
  if (c.problems.length > 0) throw new DataPathConfigError('data-path configuration', c.problems);
  return config!;
}

class Checker extends FieldChecker {
  /** Every range named so far, to report overlaps between the kinds that must not overlap. */
  private readonly clusterRanges: Array<{ path: string; cidr: DocCidr }> = [];
  /** Version 3 and later: zones may carry domain rules through their gateway. */
  private gatewayDomains = false;

  constructor(private readonly readable: readonly number[]) {
    super();
  }

  public document(doc: unknown): DataPathConfig | undefined {
    const d = this.object('$', doc);
    if (!d) return undefined;
    const version = this.version(d.version);
    if (version === undefined) return undefined;
    // Version 2 adds IPv6: ranges, allow entries and egress IPs of either family (NAT pools stay IPv4).
    this.ipv6 = version >= 2;
    this.gatewayDomains = version >= GATEWAY_DOMAINS_VERSION;
    // Version 4 adds the staged zones' address observer; an older document with `observe` is refused as unknown.
    this.unknownKeys('$', d, ['version', 'cluster', 'zones', 'gateways', 'natPools', 'node', 'domains', ...version >= OBSERVE_VERSION ? ['observe'] : []]);
    const cluster = this.object('$.cluster', d.cluster) ?? {};
    const ranges = {
      podCidrs: this.cidrs('$.cluster.podCidrs', cluster.podCidrs).map((x) => x.text),
      serviceCidrs: this.cidrs('$.cluster.serviceCidrs', cluster.serviceCidrs).map((x) => x.text),
      nodeCidrs: this.cidrs('$.cluster.nodeCidrs', cluster.nodeCidrs, true).map((x) => x.text),
    };
    this.overlaps(this.clusterRanges, 'cluster ranges must not overlap');

    const node = this.node('$.node', d.node);
    const gateways = this.array('$.gateways', d.gateways).map((g, i) => this.gateway(`$.gateways[${i}]`, g));
    this.unique('$.gateways', gateways.map((g) => g?.name), 'gateway name');
    const egressIps = gateways.flatMap((g, i) => (g?.egressIps ?? []).map((ip, j) => ({ ip, path: `$.gateways[${i}].egressIps[${j}]` })));
    this.unique('$.gateways', egressIps.map((e) => e.ip), 'egress IP');
    for (const e of egressIps) if (e.ip) this.notInCluster(e.path, e.ip);

    const gatewayNames = new Set(gateways.map((g) => g?.name));
    const zones = this.array('$.zones', d.zones).map((z, i) => this.zone(`$.zones[${i}]`, z, gatewayNames));
    this.unique('$.zones', zones.map((z) => z?.name), 'zone name');
    this.unique('$.zones', zones.map((z) => z?.id), 'zone id');
    zones.forEach((z, i) => this.familiesOfGateway(`$.zones[${i}]`, z, gateways.find((g) => g?.name === z?.gateway)));
    const tunnels = zones.filter((z) => z?.gateway).map((z) => `${gateways.find((g) => g?.name === z!.gateway)?.vxlanPort}/${z!.vni}`);
    this.unique('$.zones', tunnels, 'VXLAN port/VNI');

    const pools = this.array('$.natPools', d.natPools).map((p, i) => this.natPool(`$.natPools[${i}]`, p));
    this.unique('$.natPools', pools.map((p) => p?.name), 'NAT pool name');
    // Only the pools whose CIDR parsed (a bad one is already reported at its own path).
    const poolRanges = pools.flatMap((p, i) => {
      const cidr = p ? parseDocCidr(p.cidr, false) : undefined;
      return cidr === undefined || typeof cidr === 'string' ? [] : [{ path: `$.natPools[${i}].cidr`, cidr }];
    });
    this.overlaps(poolRanges, 'NAT pools must not overlap');

    const domains = d.domains === undefined ? undefined : checkDomainConfig(d.domains, new Set(zones.map((z) => z?.name ?? '')), version >= DOMAINS_IPV6_VERSION);
    this.problems.push(...domains?.problems ?? []);
    const observe = d.observe === undefined ? undefined : checkAddressObserverConfig(d.observe, new Set(zones.map((z) => z?.name ?? '')));
    this.problems.push(...observe?.problems ?? []);
    if (this.problems.length > 0) return undefined;
    return {
      version,
      cluster: ranges,
      zones: zones as ZoneConfig[],
      gateways: gateways as GatewayConfig[],
      natPools: pools as NatPoolConfig[],
      node,
      ...(domains?.config ? { domains: domains.config } : {}),
      ...(observe?.config ? { observe: observe.config } : {}),
    };
  }

  /**
   * The document's version: 1 (IPv4), 2 (IPv4 and IPv6) or 3 (2, and domain rules through gateways). A newer one is refused with what to do: the library that
   * wrote it is newer than this agent, and the agent keeps running its last good rules meanwhile.
   */
  private version(v: unknown): DataPathConfig['version'] | undefined {
    const newest = Math.max(...this.readable);
    if (this.readable.includes(v as number)) return v as DataPathConfig['version'];
    if (typeof v === 'number' && Number.isInteger(v) && v > newest) {
      this.fail('$.version', `is ${v}, newer than this agent reads (versions ${this.readable.join(', ')}): the ConfigMap was written by a newer cdk8s-egress; `
        + 'run the agent images of that version (the agent keeps its last good rules meanwhile)');
    } else {
      this.fail('$.version', `must be one of ${this.readable.join(', ')}, got ${show(v)}`);
    }
    return undefined;
  }

  /** A zone's allow entries of a family its gateway has no egress IP of would leave with no source: refused. */
  private familiesOfGateway(path: string, z: ZoneConfig | undefined, g: GatewayConfig | undefined): void {
    if (!z || !g) return;
    const has = (v6: boolean) => g.egressIps.some((ip) => ip.includes(':') === v6);
    z.allow.forEach((a, i) => {
      const v6 = a.cidr.includes(':');
      if (a.cidr && !has(v6)) this.fail(`${path}.allow[${i}].cidr`, `"${a.cidr}" is IPv${v6 ? 6 : 4}, but gateway "${g.name}" has no IPv${v6 ? 6 : 4} egress IP to leave with`);
    });
  }

  private zone(path: string, value: unknown, gateways: Set<string | undefined>): ZoneConfig | undefined {
    const z = this.object(path, value);
    if (!z) return undefined;
    this.unknownKeys(path, z, ['name', 'id', 'members', 'gateway', 'vni', 'failOpen', 'allow', 'noGateway', ...(this.gatewayDomains ? ['domainRules'] : [])]);
    const name = this.name(`${path}.name`, z.name);
    const id = this.int(`${path}.id`, z.id, 1, MAX_ZONE_ID);
    const m = this.object(`${path}.members`, z.members) ?? {};
    const namespaces = this.array(`${path}.members.namespaces`, m.namespaces).map((n, i) => this.name(`${path}.members.namespaces[${i}]`, n));
    const labels = this.object(`${path}.members.matchLabels`, m.matchLabels) ?? {};
    for (const [k, v] of Object.entries(labels)) {
      const keyProblem = labelKeyProblem(k);
      if (keyProblem) this.fail(`${path}.members.matchLabels[${show(k)}]`, `key ${keyProblem}`);
      if (typeof v !== 'string') {this.fail(`${path}.members.matchLabels[${show(k)}]`, 'must be a string');} else if (v.length > 63 || (v !== '' && !LABEL_NAME.test(v))) {
        this.fail(`${path}.members.matchLabels[${show(k)}]`, `value ${show(v)} must be a Kubernetes label value: empty, or 1-63 of A-Z, a-z, 0-9, "-", "_", "." beginning and ending with a letter or digit`);
      }
    }
    let gateway: string | undefined;
    let vni: number | undefined;
    if (z.gateway !== undefined) {
      gateway = this.name(`${path}.gateway`, z.gateway);
      if (!gateways.has(gateway)) this.fail(`${path}.gateway`, `unknown gateway "${gateway}" (known: ${[...gateways].filter(Boolean).join(', ') || 'none'})`);
      vni = this.int(`${path}.vni`, z.vni, 1, 0xffffff);
    } else if (z.vni !== undefined) {
      this.fail(`${path}.vni`, 'is only meaningful with a gateway');
    }
    const failOpen = this.bool(`${path}.failOpen`, z.failOpen);
    const allow = this.array(`${path}.allow`, z.allow).map((a, i) => this.allowEntry(`${path}.allow[${i}]`, a));
    const noGateway = this.cidrs(`${path}.noGateway`, z.noGateway, false);
    noGateway.forEach((c, i) => this.notOverlappingCluster(`${path}.noGateway[${i}]`, c));
    const domains = z.domainRules === undefined ? undefined : checkGatewayDomainRules(`${path}.domainRules`, z.domainRules, gateway !== undefined);
    this.problems.push(...domains?.problems ?? []);
    return {
      name,
      id,
      gateway,
      vni,
      failOpen,
      members: { namespaces, matchLabels: labels as { [k: string]: string } },
      allow: allow.filter((a): a is AllowEntryConfig => a !== undefined),
      noGateway: noGateway.map((c) => c.text),
      ...(domains?.rules.length ? { domainRules: domains.rules } : {}),
    };
  }

  private allowEntry(path: string, value: unknown): AllowEntryConfig | undefined {
    const a = this.object(path, value);
    if (!a) return undefined;
    this.unknownKeys(path, a, ['cidr', 'protocol', 'ports', 'description']);
    const cidr = this.cidr(`${path}.cidr`, a.cidr);
    if (cidr) this.notOverlappingCluster(`${path}.cidr`, cidr);
    const protocol = a.protocol as AllowProtocol;
    if (!PROTOCOLS.includes(protocol)) this.fail(`${path}.protocol`, `must be one of ${PROTOCOLS.join(', ')}, got ${show(a.protocol)}`);
    const ports = this.array(`${path}.ports`, a.ports).map((p, i) => this.portRange(`${path}.ports[${i}]`, p));
    if ((protocol === 'icmp' || protocol === 'any') && ports.length > 0) this.fail(`${path}.ports`, `must be empty for protocol ${protocol}`);
    if (a.description !== undefined && typeof a.description !== 'string') this.fail(`${path}.description`, 'must be a string');
    return { cidr: cidr?.text ?? '', protocol, ports: ports.filter((p): p is string => !!p), description: a.description as string | undefined };
  }

  private gateway(path: string, value: unknown): GatewayConfig | undefined {
    const g = this.object(path, value);
    if (!g) return undefined;
    this.unknownKeys(path, g, ['name', 'service', 'egressIps', 'vxlanPort', 'healthPort', 'probe', 'drainGraceSeconds']);
    const s = this.object(`${path}.service`, g.service) ?? {};
    const probe = this.object(`${path}.probe`, g.probe) ?? {};
    const egressIps = this.array(`${path}.egressIps`, g.egressIps).map((ip, i) => {
      const a = parseDocAddress(ip, this.ipv6);
      if (typeof a === 'string') this.fail(`${path}.egressIps[${i}]`, a);
      return typeof a === 'string' ? '' : a.text;
    });
    if (egressIps.length === 0) this.fail(`${path}.egressIps`, 'must name at least one egress IP');
    const cfg: GatewayConfig = {
      name: this.name(`${path}.name`, g.name),
      service: { namespace: this.name(`${path}.service.namespace`, s.namespace), name: this.name(`${path}.service.name`, s.name) },
      egressIps,
      vxlanPort: this.int(`${path}.vxlanPort`, g.vxlanPort, 1, 65535),
      healthPort: this.int(`${path}.healthPort`, g.healthPort, 1, 65535),
      probe: {
        intervalMs: this.int(`${path}.probe.intervalMs`, probe.intervalMs, 10, 60_000),
        timeoutMs: this.int(`${path}.probe.timeoutMs`, probe.timeoutMs, 10, 60_000),
        failureThreshold: this.int(`${path}.probe.failureThreshold`, probe.failureThreshold, 1, 100),
      },
      drainGraceSeconds: this.int(`${path}.drainGraceSeconds`, g.drainGraceSeconds, 0, 86_400),
    };
    return cfg;
  }

  private natPool(path: string, value: unknown): NatPoolConfig | undefined {
    const p = this.object(path, value);
    if (!p) return undefined;
    this.unknownKeys(path, p, ['name', 'cidr', 'snatAddress', 'noNatCidrs']);
    // Node-level SNAT is IPv4 only, in every version.
    const cidr = this.cidr(`${path}.cidr`, p.cidr, false);
    let snatAddress: string | undefined;
    if (p.snatAddress !== undefined) {
      const a = parseDocAddress(p.snatAddress, false);
      if (typeof a === 'string') this.fail(`${path}.snatAddress`, a);
      else snatAddress = a.text;
    }
    return {
      name: this.subdomain(`${path}.name`, p.name),
      cidr: cidr?.text ?? '',
      snatAddress,
      noNatCidrs: this.cidrs(`${path}.noNatCidrs`, p.noNatCidrs, false, false).map((c) => c.text),
    };
  }

  private node(path: string, value: unknown): NodeDataPathConfig {
    const d = DATA_PATH_DEFAULTS.node;
    if (value === undefined) return d;
    const n = this.object(path, value) ?? {};
    this.unknownKeys(path, n, Object.keys(d));
    const pick = (k: keyof NodeDataPathConfig, min: number, max: number) =>
      (n[k] === undefined ? d[k] : this.int(`${path}.${k}`, n[k], min, max));
    const markMask = pick('markMask', 1, 0xffffffff);
    if (markMask.toString(2).replace(/0/g, '').length < 8) {
      this.fail(`${path}.markMask`, `must hold at least 8 bits (63 zones and the replicas' pins), got 0x${markMask.toString(16)}`);
    }
    return {
      markMask,
      routeTableBase: pick('routeTableBase', 256, 0xffffffff - 1024),
      rulePriority: pick('rulePriority', 1, 32000),
      nexthopIdBase: pick('nexthopIdBase', 1, 0xffffffff - 65536),
      buckets: pick('buckets', 8, 4096),
    };
  }

  /** A list of CIDRs; cluster lists also join the overlap check. */
  private cidrs(path: string, v: unknown, cluster = true, ipv6 = this.ipv6): DocCidr[] {
    const out: DocCidr[] = [];
    this.array(path, v).forEach((x, i) => {
      const c = this.cidr(`${path}[${i}]`, x, ipv6);
      if (!c) return;
      out.push(c);
      if (cluster) this.clusterRanges.push({ path: `${path}[${i}]`, cidr: c });
    });
    return out;
  }

  private overlaps(ranges: Array<{ path: string; cidr: DocCidr }>, why: string): void {
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        if (ranges[i].cidr.cidr.overlaps(ranges[j].cidr.cidr)) {
          this.fail(ranges[j].path, `"${ranges[j].cidr.text}" overlaps "${ranges[i].cidr.text}" at ${ranges[i].path}: ${why}`);
        }
      }
    }
  }

  private notOverlappingCluster(path: string, c: DocCidr): void {
    const hit = this.clusterRanges.find((r) => r.cidr.cidr.overlaps(c.cidr));
    if (hit) this.fail(path, `"${c.text}" overlaps cluster range "${hit.cidr.text}" at ${hit.path}: in-cluster traffic never reaches a gateway`);
  }

  private notInCluster(path: string, ip: string): void {
    const hit = this.clusterRanges.find((r) => r.cidr.cidr.containsAddress(ip));
    if (hit) this.fail(path, `"${ip}" is inside cluster range "${hit.cidr.text}" at ${hit.path}`);
  }
}
