import { IstioMode } from './istio-options';
import { Cidr } from '../../model/cidr';
import { DestinationSetModel, EgressRuleModel, EgressZoneModel } from '../../model/egress-model-document';
import { HttpMatchKind, HttpMatchModel } from '../../model/http-match';
import { MeshModel } from '../../model/mesh-model';
import { BackendProblems } from '../backend-problems';
import { IRenderSelection } from '../backend-renderer';

/** What one rule of one zone may do at one destination port: the AuthorizationPolicy rule it becomes. */
export interface MeshGrant {
  readonly zone: string;
  readonly rule: string;
  readonly path: string;
  /** The zone's namespaces: the sources the mesh identifies (by the peer certificate). */
  readonly namespaces: string[];
  /** The zone's service accounts ("namespace/name"), when it declares them: then only these. */
  readonly serviceAccounts?: string[];
  /** The port the client connects to (the ServiceEntry's port; for TLS origination the application's plain-HTTP port). */
  readonly port: number;
  readonly http?: HttpMatchModel;
}

/** One ServiceEntry port. */
export interface MeshPort {
  readonly number: number;
  readonly protocol: 'HTTP' | 'TLS' | 'TCP';
  /** TLS origination: the destination's TLS port, which the egress point connects to. */
  readonly originate?: { readonly port: number; readonly credentialName?: string };
}

/** One external destination: a ServiceEntry of one host name, or of one address. */
export interface MeshDestination {
  /** Name of the destination's objects (the host name, or "address-<ip>"). */
  readonly name: string;
  /** The ServiceEntry's host: the domain, or a name under ".internal" for an address. */
  readonly host: string;
  /** The address (a /32 or /128) of an address destination. */
  readonly address?: string;
  readonly ports: MeshPort[];
  readonly grants: MeshGrant[];
}

/** Everything one egress point carries. */
export interface EgressPointPlan {
  readonly mesh: MeshModel;
  /** Where its objects go (the first zone's path). */
  readonly path: string;
  readonly zones: EgressZoneModel[];
  readonly destinations: MeshDestination[];
}

const BACKEND = 'istio';

/**
 * The Istio plan of a selection: per egress point, one destination per host name or address its zones' rules reach,
 * with the ports and the grants of each. Everything Istio (as rendered here) cannot express is one problem, named by
 * rule or zone path.
 */
export function istioPlan(selection: IRenderSelection): { problems: string[]; points: EgressPointPlan[] } {
  const problems = new BackendProblems(BACKEND);
  const sets = new Map(selection.destinationSets.map(s => [s.name, s]));
  const byPoint = new Map<string, { mesh: MeshModel; zones: EgressZoneModel[]; dests: Map<string, Builder> }>();
  for (const zone of selection.zones) {
    const mesh = zone.mesh!;
    const key = JSON.stringify(mesh);
    if (!byPoint.has(key)) byPoint.set(key, { mesh, zones: [], dests: new Map() });
    const point = byPoint.get(key)!;
    point.zones.push(zone);
    if (!zoneFits(zone, problems)) continue;
    for (const rule of zone.rules) addRule(point.dests, zone, rule, rule.destinationSets.map(n => sets.get(n)!).filter(Boolean), mesh, problems);
  }
  const points = [...byPoint.values()].map(p => ({
    mesh: p.mesh,
    path: p.zones[0].path,
    zones: p.zones,
    destinations: [...p.dests.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(b => b.build(problems, p.mesh.mode)),
  }));
  return { problems: problems.list, points };
}

/** What a zone must be for the mesh: sources it can name, traffic that reaches its egress point, no exit of its own. */
function zoneFits(zone: EgressZoneModel, problems: BackendProblems): boolean {
  const before = problems.count;
  const at = `zone "${zone.name}"`;
  if (zone.members.namespaceSelector || zone.members.namespaces.length === 0) {
    problems.add(`namespaces chosen by label (${at}: ${zone.members.namespaceSelector}; an AuthorizationPolicy names its source namespaces)`, zone.path, 'list the namespaces');
  }
  if (zone.members.podSelector !== 'all()' && !zone.members.serviceAccounts) {
    problems.add(`pod selectors without service accounts (${at}: ${zone.members.podSelector}; the mesh identifies a client by namespace and service account, not pod labels)`, zone.path,
      'give the mesh zone whole namespaces, or name its pods\' service accounts (serviceAccounts: ["ns/name"])');
  }
  if (zone.inCluster !== 'allow') {
    problems.add(`a mesh zone with inCluster "${zone.inCluster}" (${at}: its pods reach the egress point inside the cluster, and its network policy allows no external address)`,
      zone.path, 'inCluster: InClusterTraffic.ALLOW');
  }
  if (zone.exit.gateway || zone.exit.natPools.length > 0) {
    problems.add(`a gateway or NAT pools for a mesh zone (${at}: its external traffic leaves from the mesh's egress point, not from its pods)`, zone.path,
      'leave gateway and natPools out of mesh zones');
  }
  if (zone.staged) problems.add(`staged zones (${at}: Istio has no staged AuthorizationPolicy)`, zone.path, 'Enforcement.ENFORCED');
  return problems.count === before;
}

function addRule(dests: Map<string, Builder>, zone: EgressZoneModel, rule: EgressRuleModel, sets: DestinationSetModel[], mesh: MeshModel,
  problems: BackendProblems): void {
  const at = `rule "${rule.name}" of zone "${zone.name}"`;
  const before = problems.count;
  if (rule.ports.length === 0) problems.add(`all traffic (${at}: a ServiceEntry lists its ports)`, rule.path, 'list TCP ports, e.g. Port.tcp(443)');
  for (const p of rule.ports) {
    if (p.protocol !== 'TCP' || p.fromPort === undefined || p.fromPort !== p.toPort || p.portName !== undefined) {
      problems.add(`ports other than single TCP ports (${at}: ${JSON.stringify(p)}; a ServiceEntry port is one TCP port)`, rule.path, 'list TCP ports one by one');
    }
  }
  const http = rule.http;
  const domains = sets.flatMap(s => s.domains);
  const cidrs = sets.flatMap(s => s.cidrs.map(c => c.cidr));
  for (const d of domains.filter(x => x.startsWith('*.'))) {
    problems.add(`wildcard domains through an egress point (${at}: ${d}; a ServiceEntry resolves its hosts by DNS)`, rule.path, 'list the host names');
  }
  for (const c of cidrs.filter(x => Cidr.parse(x).addressCount !== 1)) {
    problems.add(`address ranges through an egress point (${at}: ${c}; the egress point forwards to a ServiceEntry's listed endpoints, and a range has none)`, rule.path,
      'list host addresses, or use domain names');
  }
  if (http?.kind === HttpMatchKind.TLS) {
    const outside = http.hosts.filter(h => !domains.some(d => d === h || (d.startsWith('*.') && h.endsWith(d.slice(1)))));
    if (outside.length > 0 && domains.length > 0) problems.add(`server names outside the rule's domains (${at}: ${outside.join(', ')})`, rule.path, 'sniHosts among the rule\'s domains');
    if (cidrs.length > 0 && http.hosts.length === 0) problems.add(`TLS matches on addresses without server names (${at}: ${cidrs.join(', ')})`, rule.path, 'HttpMatch.tls({ sniHosts: [...] })');
  }
  if (http?.kind === HttpMatchKind.ORIGINATE_TLS && cidrs.length > 0) {
    problems.add(`TLS origination to addresses (${at}: ${cidrs.join(', ')}; the egress point verifies the server's certificate against a host name)`, rule.path, 'use a domain name');
  }
  if (mesh.mode === IstioMode.SIDECAR) {
    if (!http || http.kind === HttpMatchKind.TLS) {
      problems.add(`${http ? 'TLS' : 'TCP'} rules in sidecar mode (${at}: the egress gateway pattern rendered here carries HTTP, over mutual TLS from the sidecar)`, rule.path,
        'IstioMode.AMBIENT, or an HTTP rule (HttpMatch.originateTls() for HTTPS destinations)');
    }
    if (cidrs.length > 0) problems.add(`addresses in sidecar mode (${at}: ${cidrs.join(', ')}; the egress gateway routes HTTP by host name)`, rule.path, 'use domain names');
  }
  if (problems.count !== before) return;
  const namespaces = zone.members.namespaces;
  for (const p of rule.ports) {
    const port = http?.kind === HttpMatchKind.ORIGINATE_TLS ? http.appPort! : p.fromPort!;
    const meshPort: MeshPort = !http ? { number: port, protocol: 'TCP' } : http.kind === HttpMatchKind.TLS ? { number: port, protocol: 'TLS' }
      : { number: port, protocol: 'HTTP', ...(http.kind === HttpMatchKind.ORIGINATE_TLS ? { originate: { port: p.fromPort!, credentialName: http.credentialName } } : {}) };
    const accounts = zone.members.serviceAccounts;
    const grant: MeshGrant = {
      zone: zone.name,
      rule: rule.name,
      path: rule.path,
      namespaces,
      port,
      ...(accounts ? { serviceAccounts: accounts } : {}),
      ...(http ? { http } : {}),
    };
    for (const d of domains) builderFor(dests, d, undefined).add(meshPort, grant, at);
    for (const c of cidrs) builderFor(dests, addressName(c), Cidr.parse(c).toString()).add(meshPort, grant, at);
  }
}

/** "address-203-0-113-10", "address-2001-db8--5": an object name for one address. */
function addressName(cidr: string): string {
  return `address-${Cidr.parse(cidr).networkAddress.replace(/[.:]/g, '-')}`.replace(/-$/, '-0');
}

function builderFor(dests: Map<string, Builder>, name: string, address: string | undefined): Builder {
  let b = dests.get(name);
  if (!b) dests.set(name, b = new Builder(name, address));
  return b;
}

/** One destination's ports and grants as rules add them; conflicting uses of one port are problems. */
class Builder {
  private readonly ports = new Map<number, { port: MeshPort; by: string; path: string }>();
  private readonly grants: MeshGrant[] = [];
  private readonly conflicts: { text: string; paths: string[] }[] = [];

  constructor(public readonly name: string, private readonly address?: string) {}

  public add(port: MeshPort, grant: MeshGrant, by: string): void {
    this.grants.push(grant);
    const seen = this.ports.get(port.number);
    if (!seen || (seen.port.protocol === 'TCP' && port.protocol !== 'TCP' && !port.originate)) {
      this.ports.set(port.number, { port, by, path: grant.path });
      return;
    }
    if (port.protocol === 'TCP' && !seen.port.originate) return; // an HTTP or TLS port also carries the plain rule's connections
    if (JSON.stringify(seen.port) !== JSON.stringify(port)) {
      const show = (p: MeshPort) => (p.originate ? `HTTP sent on with TLS to ${p.originate.port}` : p.protocol);
      this.conflicts.push({ text: `one port used two ways (${this.address ?? this.name} port ${port.number}: ${show(seen.port)} for ${seen.by}, ${show(port)} for ${by})`, paths: [seen.path, grant.path] });
    }
  }

  public build(problems: BackendProblems, mode: string): MeshDestination {
    if (mode === IstioMode.SIDECAR && this.ports.size > 1) {
      const paths = [...new Set([...this.ports.values()].map(p => p.path))];
      problems.add(`several HTTP ports of one host in sidecar mode (${this.name}: ${[...this.ports.keys()].join(', ')}; the egress gateway carries each host on its one mutual-TLS port)`,
        paths.join(' and '), 'one port per host, or IstioMode.AMBIENT');
    }
    for (const c of this.conflicts) problems.add(c.text, c.paths.join(' and '), 'give the rules different ports, or one kind of match per port');
    const host = this.address ? `${this.name}.egress.internal` : this.name;
    const ports = [...this.ports.values()].map(p => p.port).sort((a, b) => a.number - b.number);
    return { name: this.name, host, ...(this.address ? { address: this.address } : {}), ports, grants: this.grants };
  }
}
