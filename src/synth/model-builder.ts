import * as ipaddr from 'ipaddr.js';
import { DestinationSetDeclaration, ZoneDeclaration } from './declarations';
import { icmpFamilyProblems } from './icmp-families';
import { OutputRequests } from './output-requests';
import { gatewayPlacementProblems, openPoolProblems } from './placement-checks';
import { sharedEgressAddresses } from './shared-egress-addresses';
import { checkApiServer, tierOrders } from './zone-tiers';
import { Cidr } from '../model/cidr';
import { CidrAggregator } from '../model/cidr-aggregation';
import { DEFAULT_DNS } from '../model/dns-defaults';
import {
  DestinationSetModel, DnsModel, EgressExitMode, EgressGatewayModel, EgressModelDocument,
  EgressRuleModel, EgressZoneModel, NatPoolModel,
} from '../model/egress-model-document';
import { located, problem, ValidationErrors } from '../model/errors';
import { ApiServerModel } from '../model/in-cluster-traffic';

/** Cluster-wide facts. */
export interface ClusterNetworkDeclaration {
  readonly path: string;
  readonly clusterCidrs: string[];
  /** The service ranges among `clusterCidrs` (pools must not overlap them). */
  readonly serviceCidrs?: string[];
  readonly nodeCidrs: string[];
  readonly dns?: DnsModel;
  readonly apiServer?: ApiServerModel;
  readonly dnsServiceAddress?: string;
  /** The zones' default enforcement ("enforced" or "staged"). */
  readonly enforcement?: string;
}

/**
 * Collects the declarations of every construct in an app and resolves them into one
 * {@link EgressModelDocument}: names are checked for uniqueness, references resolved, addresses aggregated,
 * pools checked for overlap, and each zone's exit (which source address the world sees) decided.
 * Every problem is collected and reported together.
 */
export class ModelBuilder {
  /** The outputs constructs ask for (firewall files, review files, gateway data paths): not part of the document. */
  public readonly requests = new OutputRequests();
  private cluster?: ClusterNetworkDeclaration;
  private readonly zones = new Map<string, ZoneDeclaration>();
  private readonly rules = new Map<string, EgressRuleModel[]>();
  /** Per zone, its rules by name (duplicate check without scanning the zone's list for every rule). */
  private readonly ruleNames = new Map<string, Map<string, EgressRuleModel>>();
  private readonly sets = new Map<string, DestinationSetDeclaration>();
  private readonly pools = new Map<string, NatPoolModel>();
  private readonly gateways = new Map<string, EgressGatewayModel>();
  private readonly errors = new ValidationErrors();

  public setClusterNetwork(decl: ClusterNetworkDeclaration): void {
    if (this.cluster) {
      this.errors.add(`${located('ClusterNetwork is declared twice', this.cluster.path, decl.path)}; an app has one cluster network`);
      return;
    }
    this.cluster = decl;
  }

  public addZone(zone: ZoneDeclaration): void {
    this.unique('zone', this.zones, zone.name, zone.path) && this.zones.set(zone.name, zone);
  }

  public addRule(zoneName: string, rule: EgressRuleModel): void {
    let names = this.ruleNames.get(zoneName);
    if (!names) {
      names = new Map();
      this.ruleNames.set(zoneName, names);
      this.rules.set(zoneName, []);
    }
    const clash = names.get(rule.name);
    if (clash) {
      this.errors.add(problem(`rule name "${rule.name}" is used twice in zone "${zoneName}"`, [clash.path, rule.path]));
      return;
    }
    names.set(rule.name, rule);
    this.rules.get(zoneName)!.push(rule);
  }

  public addDestinationSet(set: DestinationSetDeclaration): void {
    this.unique('destination set', this.sets, set.name, set.path) && this.sets.set(set.name, set);
  }

  public addNatPool(pool: NatPoolModel): void {
    this.unique('NAT pool', this.pools, pool.name, pool.path) && this.pools.set(pool.name, pool);
  }

  public addGateway(gateway: EgressGatewayModel): void {
    this.unique('gateway', this.gateways, gateway.name, gateway.path) && this.gateways.set(gateway.name, gateway);
  }

  /** Resolves everything; throws one error listing every problem. */
  public build(): EgressModelDocument {
    const destinationSets = [...this.sets.values()].map(s => this.resolveSet(s)).sort(byName);
    const poolNamespaces = new Map<string, Set<string>>();
    for (const pool of this.pools.values()) poolNamespaces.set(pool.name, new Set(pool.namespaces));

    const tiers = tierOrders([...this.zones.values()], this.errors);
    checkApiServer([...this.zones.values()], this.cluster?.apiServer, this.errors);
    const zones: EgressZoneModel[] = [];
    for (const zone of this.zones.values()) {
      zones.push({ ...this.resolveZone(zone, poolNamespaces), tierOrder: tiers.get(zone.tier) });
    }
    for (const zoneName of this.rules.keys()) {
      if (!this.zones.has(zoneName)) this.errors.add(`rules refer to zone "${zoneName}", which is not declared`);
    }
    const natPools = [...this.pools.values()]
      .map(p => ({ ...p, namespaces: [...poolNamespaces.get(p.name)!].sort(), nodeCidrs: this.cluster?.nodeCidrs ?? [] }))
      .sort(byName);
    this.checkPools(natPools);
    this.checkPoolsAgainstCluster(natPools);
    const gateways = [...this.gateways.values()].sort(byName);
    const placement = [...openPoolProblems(natPools), ...gatewayPlacementProblems(zones, gateways)];
    [...icmpFamilyProblems(zones, destinationSets), ...sharedEgressAddresses(gateways), ...placement].forEach(p => this.errors.add(p));
    this.errors.throwIfAny('egress model');
    return {
      version: 1, // EgressModel.VERSION
      clusterCidrs: this.clusterCidrsWith(natPools),
      nodeCidrs: this.cluster?.nodeCidrs ?? [],
      apiServer: this.cluster?.apiServer,
      dnsServiceAddress: this.cluster?.dnsServiceAddress,
      zones: zones.sort(byName),
      destinationSets,
      natPools,
      gateways,
    };
  }

  private resolveZone(zone: ZoneDeclaration, poolNamespaces: Map<string, Set<string>>): EgressZoneModel {
    const rules = this.rules.get(zone.name) ?? [];
    for (const rule of rules) {
      for (const set of rule.destinationSets) {
        const decl = this.sets.get(set);
        if (!decl) {this.errors.add(`destination set "${set}" is not declared (rule at ${rule.path})`);} else if (decl.namespace && !(zone.members.namespaces.length === 1 && zone.members.namespaces[0] === decl.namespace && !zone.members.namespaceSelector)) {
          this.errors.add(problem(`destination set "${set}" is namespaced to "${decl.namespace}" and cannot serve zone "${zone.name}" (namespaces ${JSON.stringify(zone.members.namespaces)})`, rule.path, 'make the set cluster-wide'));
        }
      }
      if (rule.gateway && !this.gateways.has(rule.gateway)) this.errors.add(`gateway "${rule.gateway}" is not declared (rule at ${rule.path})`);
    }
    if (zone.gateway && !this.gateways.has(zone.gateway)) this.errors.add(`gateway "${zone.gateway}" is not declared (zone at ${zone.path})`);

    const pools = zone.natPools.map(n => this.pools.get(n)).filter((p): p is NatPoolModel => {
      return p !== undefined;
    });
    for (const name of zone.natPools) {
      if (!this.pools.has(name)) this.errors.add(`NAT pool "${name}" is not declared (zone at ${zone.path})`);
    }
    for (const pool of pools) {
      const ns = poolNamespaces.get(pool.name)!;
      zone.members.namespaces.forEach(n => ns.add(n));
    }
    if (pools.length > 0 && zone.members.namespaces.length === 0) {
      this.errors.add(problem(`zone "${zone.name}" selects namespaces by label only, so its NAT pools cannot be assigned to namespaces`, zone.path, 'list the namespaces'));
    }
    const natModes = new Set(pools.map(p => p.snatAddress ? 'snat' : p.natOutgoing ? 'nat' : 'pod'));
    if (natModes.size > 1) {
      const behaviours = pools.map(p => `${p.name}: ${p.snatAddress ? `snat ${p.snatAddress}` : p.natOutgoing ? 'natOutgoing' : 'no NAT'}`).join(', ');
      this.errors.add(problem(`zone "${zone.name}" mixes pools with different NAT behaviour (${behaviours}), so the firewall could not tell which source it uses`, zone.path));
    }
    let mode = EgressExitMode.NAT_OUTGOING;
    if (zone.gateway) mode = EgressExitMode.GATEWAY;
    else if (natModes.has('snat')) mode = EgressExitMode.NODE_SNAT;
    else if (natModes.has('pod')) mode = EgressExitMode.POD_ADDRESS;
    if (zone.failOpen && !zone.gateway) {
      this.errors.add(problem(`zone "${zone.name}" sets failOpen without a gateway; failOpen only decides what happens when no gateway is ready`, zone.path));
    }

    return {
      name: zone.name,
      path: zone.path,
      backend: zone.backend,
      description: zone.description,
      members: zone.members,
      dns: zone.dns ?? this.cluster?.dns ?? DEFAULT_DNS,
      inCluster: zone.inCluster,
      allowApiServer: zone.allowApiServer || undefined,
      rules,
      exit: { mode, natPools: [...zone.natPools].sort(), gateway: zone.gateway, failOpen: zone.failOpen },
      order: zone.order,
      tier: zone.tier,
      staged: (zone.enforcement ?? this.cluster?.enforcement) === 'staged' || undefined,
      ...(zone.mesh ? { mesh: zone.mesh } : {}),
    };
  }

  private resolveSet(set: DestinationSetDeclaration): DestinationSetModel {
    const aggregated = CidrAggregator.aggregate(set.entries.map(e => ({ cidr: e.cidr, description: e.description })));
    return {
      name: set.name,
      path: set.path,
      description: set.description,
      cidrs: aggregated.map(a => ({ cidr: a.cidr, ipVersion: a.family === 'IPv4' ? 4 : 6, descriptions: a.descriptions })),
      domains: set.domains,
      labels: set.labels,
      namespace: set.namespace,
      inline: set.inline ? true : undefined,
    };
  }

  /**
   * The in-cluster ranges: the declared pod and service ranges, and every NAT pool's range (a pool's pods
   * are in-cluster workloads wherever their addresses come from; other zones must not call them external).
   */
  private clusterCidrsWith(pools: NatPoolModel[]): string[] {
    const declared = this.cluster?.clusterCidrs ?? [];
    if (declared.length === 0) return declared; // without a ClusterNetwork, zones deny all other egress
    const ranges = declared.map(c => Cidr.parse(c));
    const extra = pools.map(p => Cidr.parse(p.cidr)).filter(p => !ranges.some(r => r.family === p.family && r.contains(p)));
    return [...declared, ...CidrAggregator.merge(extra.map(c => c.toString()))];
  }

  /** Pools inside the service range, and pools that hold a gateway's egress addresses. */
  private checkPoolsAgainstCluster(pools: NatPoolModel[]): void {
    const services = (this.cluster?.serviceCidrs ?? []).map(c => Cidr.parse(c));
    for (const p of pools) {
      const cidr = Cidr.parse(p.cidr);
      const service = services.find(s => s.family === cidr.family && s.overlaps(cidr));
      if (service) {
        this.errors.add(problem(`NAT pool "${p.name}" ${p.cidr} overlaps the service range ${service} (serviceCidrs): Service addresses are never pod addresses`,
          [p.path, this.cluster!.path], 'take the pool from outside serviceCidrs'));
      }
      for (const gw of this.gateways.values()) {
        const held = gw.egressIps.filter(ip => cidr.containsAddress(ip));
        if (held.length > 0) {
          this.errors.add(problem(`NAT pool "${p.name}" ${p.cidr} overlaps the egress pool of gateway "${gw.name}" (${held.join(', ')}); Calico pools must not overlap`,
            [p.path, gw.path], 'give the gateway an egress range outside every NAT pool'));
        }
      }
      if (p.snatAddress && ![...this.gateways.values()].some(g => (g.implementation ?? 'cdk8s-egress') === 'cdk8s-egress')) {
        this.errors.add(problem(`snatAddress "${p.snatAddress}" of NAT pool "${p.name}" needs the cdk8s-egress node agent, which is emitted with an EgressGateway; without it nothing SNATs and the firewall would expect a source no packet has`,
          p.path, 'declare an EgressGateway (its node agent also serves pools with snatAddress), or drop snatAddress and use natOutgoing'));
      }
    }
  }

  // Calico rejects overlapping pools, and a disabled no-NAT pool must not overlap a real one either.
  // Sorting by start address makes this one pass instead of comparing every pair.
  private checkPools(pools: NatPoolModel[]): void {
    const ranges: { cidr: Cidr; what: string }[] = [];
    for (const p of pools) {
      ranges.push({ cidr: Cidr.parse(p.cidr), what: located(`NAT pool "${p.name}" ${p.cidr}`, p.path) });
    }
    const noNat = new Map<string, string>();
    for (const p of pools) for (const d of p.noNatDestinations) if (!noNat.has(d)) noNat.set(d, p.path);
    for (const [d, path] of noNat) ranges.push({ cidr: Cidr.parse(d), what: problem(`no-NAT destination ${d}`, path) });
    const key = (c: Cidr) => `${c.family}|${ipaddr.parse(c.networkAddress).toByteArray().map(b => b.toString(16).padStart(2, '0')).join('')}|${String(c.prefixLength).padStart(3, '0')}`;
    ranges.sort((a, b) => (key(a.cidr) < key(b.cidr) ? -1 : 1));
    let open: { cidr: Cidr; what: string } | undefined;
    for (const r of ranges) {
      if (open && open.cidr.family === r.cidr.family && open.cidr.overlaps(r.cidr)) {
        this.errors.add(`${r.what} overlaps ${open.what}; Calico pools must not overlap`);
        continue;
      }
      if (!open || open.cidr.family !== r.cidr.family || !open.cidr.contains(r.cidr)) open = r;
    }
  }

  private unique(kind: string, map: Map<string, { path: string }>, name: string, path: string): boolean {
    const existing = map.get(name);
    if (existing) {
      this.errors.add(`${located(`${kind} name "${name}" is used twice`, existing.path, path)}; names must be unique in the app`);
      return false;
    }
    return true;
  }
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
