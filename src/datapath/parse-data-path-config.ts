import {
  AllowEntryConfig, AllowProtocol, DataPathConfig, GatewayConfig, NatPoolConfig, NodeDataPathConfig,
  ZoneConfig, DATA_PATH_CONFIG_VERSION, DATA_PATH_DEFAULTS,
} from './data-path-config';
import { DataPathConfigError, DataPathProblem } from './data-path-config-error';
import { Cidr, IpFamily } from '../model/cidr';
import { EgressValidationError } from '../model/errors';

/** Zone ids share the mark field with replica pins: 1..63 are zones, 64.. are pins. */
export const MAX_ZONE_ID = 63;
const PROTOCOLS: AllowProtocol[] = ['tcp', 'udp', 'icmp', 'any'];

/** An IPv4 range of the document, with its canonical text. */
interface Ipv4Cidr { readonly text: string; readonly cidr: Cidr }

/**
 * Parses "a.b.c.d/n" (or a bare address as /32) with the library's CIDR value object, the way
 * Calico parses it; returns the reason when it is not an IPv4 network (version 1 is IPv4 only).
 */
function parseIpv4Cidr(text: unknown): Ipv4Cidr | string {
  if (typeof text !== 'string') return `must be a string, got ${show(text)}`;
  let parsed: { cidr: Cidr; hostBits: boolean };
  try {
    parsed = Cidr._parseWithHostBits(text);
  } catch (e) {
    const v = e as EgressValidationError;
    return `"${text}" ${v.reason ?? 'is not an IPv4 CIDR'}${v.hint ? `; ${v.hint}` : ''}`;
  }
  if (parsed.cidr.family !== IpFamily.IPV4) return `"${text}" is not an IPv4 CIDR (version 1 of the data path is IPv4 only)`;
  if (parsed.hostBits) return `"${text}" has host bits set; did you mean "${parsed.cidr}"?`;
  return { text: parsed.cidr.toString(), cidr: parsed.cidr };
}

/** Parses a plain IPv4 address (no prefix); returns the reason when it is not one. */
function parseIpv4Address(text: unknown): string | { text: string } {
  const c = typeof text === 'string' && !text.includes('/') ? parseIpv4Cidr(text) : undefined;
  if (c === undefined || typeof c === 'string') return `${show(text)} is not an IPv4 address`;
  return { text: c.cidr.networkAddress };
}


/**
 * Validates a data-path document (JSON text or an already parsed value) and returns it typed, with
 * the optional `node` section filled from the defaults. Pure: no I/O.
 *
 * @throws DataPathConfigError listing every problem as `<json path>: <reason>`.
 */
export function parseDataPathConfig(json: string | unknown): DataPathConfig {
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
  const c = new Checker();
  const config = c.document(doc);
  if (c.problems.length > 0) throw new DataPathConfigError('data-path configuration', c.problems);
  return config!;
}

type Obj = { [key: string]: unknown };

/** A value as the problem list shows it; never throws (BigInts and cycles have no JSON text). */
function show(v: unknown): string {
  try {
    const text = JSON.stringify(v);
    return text === undefined ? String(v) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return typeof v === 'bigint' ? `${v}n` : `a ${typeof v} that is not JSON`;
  }
}

/**
 * Where a value is not JSON data (a BigInt, a symbol, a function, a cycle, NaN, a class instance): the
 * document comes from JSON, and anything else would surface later as a TypeError.
 */
function notJson(v: unknown, path: string, seen: Set<object>, out: DataPathProblem[]): void {
  if (out.length >= 20) return;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) out.push({ path, reason: `is not JSON data (${v})` });
    return;
  }
  if (typeof v !== 'object') {
    out.push({ path, reason: `is not JSON data (a ${typeof v})` });
    return;
  }
  if (seen.has(v)) {
    out.push({ path, reason: 'is not JSON data (it contains itself: a cycle)' });
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
    out.push({ path, reason: `is not JSON data (a ${proto?.constructor?.name ?? 'non-plain'} object)` });
    return;
  }
  seen.add(v);
  if (Array.isArray(v)) v.forEach((x, i) => notJson(x, `${path}[${i}]`, seen, out));
  else for (const [k, x] of Object.entries(v)) notJson(x, `${path}.${k}`, seen, out);
  seen.delete(v);
}

// Kubernetes' label syntax (IsQualifiedName for keys, IsValidLabelValue for values).
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !prefix.split('.').every(l => l.length <= 63 && DNS_LABEL.test(l)))) {
    return 'has a prefix that is not a DNS subdomain';
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'must be a Kubernetes label key: 1-63 of A-Z, a-z, 0-9, "-", "_", "." beginning and ending with a letter or digit, with an optional DNS-subdomain prefix and "/"';
  }
  return undefined;
}

class Checker {
  public readonly problems: DataPathProblem[] = [];
  /** Every range named so far, to report overlaps between the kinds that must not overlap. */
  private readonly clusterRanges: Array<{ path: string; cidr: Ipv4Cidr }> = [];

  public document(doc: unknown): DataPathConfig | undefined {
    const d = this.object('$', doc);
    if (!d) return undefined;
    if (d.version !== DATA_PATH_CONFIG_VERSION) {
      this.fail('$.version', `must be ${DATA_PATH_CONFIG_VERSION}, got ${show(d.version)}`);
      return undefined;
    }
    this.unknownKeys('$', d, ['version', 'cluster', 'zones', 'gateways', 'natPools', 'node']);
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
    const tunnels = zones.filter((z) => z?.gateway).map((z) => `${gateways.find((g) => g?.name === z!.gateway)?.vxlanPort}/${z!.vni}`);
    this.unique('$.zones', tunnels, 'VXLAN port/VNI');

    const pools = this.array('$.natPools', d.natPools).map((p, i) => this.natPool(`$.natPools[${i}]`, p));
    this.unique('$.natPools', pools.map((p) => p?.name), 'NAT pool name');
    const poolRanges = pools.flatMap((p, i) => (p ? [{ path: `$.natPools[${i}].cidr`, cidr: parseIpv4Cidr(p.cidr) as Ipv4Cidr }] : []));
    this.overlaps(poolRanges, 'NAT pools must not overlap');

    if (this.problems.length > 0) return undefined;
    return {
      version: 1,
      cluster: ranges,
      zones: zones as ZoneConfig[],
      gateways: gateways as GatewayConfig[],
      natPools: pools as NatPoolConfig[],
      node,
    };
  }

  private zone(path: string, value: unknown, gateways: Set<string | undefined>): ZoneConfig | undefined {
    const z = this.object(path, value);
    if (!z) return undefined;
    this.unknownKeys(path, z, ['name', 'id', 'members', 'gateway', 'vni', 'failOpen', 'allow', 'noGateway']);
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
    return {
      name,
      id,
      gateway,
      vni,
      failOpen,
      members: { namespaces, matchLabels: labels as { [k: string]: string } },
      allow: allow.filter((a): a is AllowEntryConfig => a !== undefined),
      noGateway: noGateway.map((c) => c.text),
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
      const a = parseIpv4Address(ip);
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
    const cidr = this.cidr(`${path}.cidr`, p.cidr);
    let snatAddress: string | undefined;
    if (p.snatAddress !== undefined) {
      const a = parseIpv4Address(p.snatAddress);
      if (typeof a === 'string') this.fail(`${path}.snatAddress`, a);
      else snatAddress = a.text;
    }
    return {
      name: this.subdomain(`${path}.name`, p.name),
      cidr: cidr?.text ?? '',
      snatAddress,
      noNatCidrs: this.cidrs(`${path}.noNatCidrs`, p.noNatCidrs, false).map((c) => c.text),
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
    const bits = markMask.toString(2).replace(/^0+/, '');
    if (!/^1+0*$/.test(bits) || bits.replace(/0/g, '').length < 8) {
      this.fail(`${path}.markMask`, `must be one run of at least 8 contiguous bits, got 0x${markMask.toString(16)}`);
    }
    return {
      markMask,
      routeTableBase: pick('routeTableBase', 256, 0xffffffff - 1024),
      rulePriority: pick('rulePriority', 1, 32000),
      nexthopIdBase: pick('nexthopIdBase', 1, 0xffffffff - 65536),
      buckets: pick('buckets', 8, 4096),
    };
  }

  // --- primitives -------------------------------------------------------------------------------

  private fail(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }

  private object(path: string, v: unknown): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(path, `must be an object, got ${v === undefined ? 'nothing' : show(v)}`);
      return undefined;
    }
    return v as Obj;
  }

  private array(path: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) {
      this.fail(path, `must be an array, got ${v === undefined ? 'nothing' : show(v)}`);
      return [];
    }
    return v;
  }

  private unknownKeys(path: string, o: Obj, known: string[]): void {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) this.fail(`${path}.${k}`, `unknown field (known: ${known.join(', ')})`);
    }
  }

  /** A DNS-1123 label (zones, gateways, namespaces, Services): what Kubernetes accepts for those names. */
  private name(path: string, v: unknown): string {
    if (typeof v !== 'string' || v.length > 63 || !DNS_LABEL.test(v)) {
      this.fail(path, `must be a DNS-1123 label (1-63 of a-z, 0-9 and "-", beginning and ending with a letter or digit), got ${show(v)}`);
      return String(v);
    }
    return v;
  }

  /** A DNS-1123 subdomain (NAT pools are named like Calico IPPools): dot-separated labels, at most 253 characters. */
  private subdomain(path: string, v: unknown): string {
    if (typeof v !== 'string' || v.length > 253 || !v.split('.').every(l => l.length <= 63 && DNS_LABEL.test(l))) {
      this.fail(path, `must be a DNS-1123 subdomain (dot-separated DNS labels, at most 253 characters), got ${show(v)}`);
      return String(v);
    }
    return v;
  }

  private int(path: string, v: unknown, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(path, `must be an integer in ${min}..${max}, got ${v === undefined ? 'nothing' : show(v)}`);
      return min;
    }
    return v;
  }

  private bool(path: string, v: unknown): boolean {
    if (typeof v !== 'boolean') {
      this.fail(path, `must be true or false, got ${v === undefined ? 'nothing' : show(v)}`);
      return false;
    }
    return v;
  }

  private portRange(path: string, v: unknown): string | undefined {
    const m = typeof v === 'string' ? /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v) : typeof v === 'number' && Number.isInteger(v) ? [String(v), String(v)] : null;
    const from = m ? Number(m[1]) : NaN;
    const to = m && m[2] !== undefined ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || from > to) {
      this.fail(path, `must be "port" or "from-to" within 1..65535, got ${show(v)}`);
      return undefined;
    }
    return from === to ? String(from) : `${from}-${to}`;
  }

  private cidr(path: string, v: unknown): Ipv4Cidr | undefined {
    const c = parseIpv4Cidr(v);
    if (typeof c === 'string') {
      this.fail(path, c);
      return undefined;
    }
    return c;
  }

  /** A list of CIDRs; cluster lists also join the overlap check. */
  private cidrs(path: string, v: unknown, cluster = true): Ipv4Cidr[] {
    const out: Ipv4Cidr[] = [];
    this.array(path, v).forEach((x, i) => {
      const c = this.cidr(`${path}[${i}]`, x);
      if (!c) return;
      out.push(c);
      if (cluster) this.clusterRanges.push({ path: `${path}[${i}]`, cidr: c });
    });
    return out;
  }

  private overlaps(ranges: Array<{ path: string; cidr: Ipv4Cidr }>, why: string): void {
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        if (ranges[i].cidr.cidr.overlaps(ranges[j].cidr.cidr)) {
          this.fail(ranges[j].path, `"${ranges[j].cidr.text}" overlaps "${ranges[i].cidr.text}" at ${ranges[i].path}: ${why}`);
        }
      }
    }
  }

  private notOverlappingCluster(path: string, c: Ipv4Cidr): void {
    const hit = this.clusterRanges.find((r) => r.cidr.cidr.overlaps(c.cidr));
    if (hit) this.fail(path, `"${c.text}" overlaps cluster range "${hit.cidr.text}" at ${hit.path}: in-cluster traffic never reaches a gateway`);
  }

  private notInCluster(path: string, ip: string): void {
    const hit = this.clusterRanges.find((r) => r.cidr.cidr.containsAddress(ip));
    if (hit) this.fail(path, `"${ip}" is inside cluster range "${hit.cidr.text}" at ${hit.path}`);
  }

  private unique(path: string, values: Array<string | number | undefined>, what: string): void {
    const seen = new Set<string | number>();
    for (const v of values) {
      if (v === undefined || v === '') continue;
      if (seen.has(v)) this.fail(path, `duplicate ${what} ${show(v)}`);
      seen.add(v);
    }
  }
}
