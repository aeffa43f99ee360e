import { Construct } from 'constructs';
import { DnsOptions } from './dns-options';
import { IEgressGateway } from './egress-gateway-ref';
import { AllowExternalOptions, IEgressRule } from './egress-rule';
import { NatPool } from './nat-pool';
import { dnsModel } from './private/dns-model';
import { checkMesh, checkServiceAccounts } from './private/mesh-props';
import { RuleDeclaration } from './private/rule-declaration';
import { Backend } from '../backends/backend';
import { Enforcement } from '../model/enforcement';
import { checkChoice, EgressValidationError } from '../model/errors';
import { InClusterTraffic } from '../model/in-cluster-traffic';
import { toDnsLabel, validateDnsLabel } from '../model/names';
import { Selector } from '../model/selector';
import { ensureSynthesizer } from '../synth/egress-synthesizer';
import type { ModelBuilder } from '../synth/model-builder';
import { withdraw } from './private/withdraw';
import { constructId } from '../model/construct-id';

/** Properties of an egress zone. */
export interface EgressZoneProps {
  /**
   * Name of the zone (DNS label, unique in the app); names the policies it becomes.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * What the zone is.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Namespaces whose workloads belong to the zone.
   * @default - none (then `namespaceSelector` is required)
   */
  readonly namespaces?: string[];
  /**
   * Namespaces, by label, whose workloads belong to the zone (combined with `namespaces` by OR).
   * @default - only `namespaces`
   */
  readonly namespaceSelector?: Selector;
  /**
   * Which pods of those namespaces belong to the zone.
   * @default - every pod (unless `podLabels` is given)
   */
  readonly podSelector?: Selector;
  /**
   * Pods by exact labels (ANDed with `podSelector`).
   * @default - no label condition
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * DNS allowance.
   * @default - the ClusterNetwork's DNS, or cluster DNS on UDP/TCP 53
   */
  readonly dns?: DnsOptions;
  /**
   * The same as `inCluster: InClusterTraffic.ALLOW` (true) or the default `inCluster` (false).
   * @default false
   */
  readonly allowInCluster?: boolean;
  /**
   * What the zone does with traffic to pods, Service ranges and node addresses (the node ranges count as
   * in-cluster: the API server, the kubelet, hostNetwork pods). See `InClusterTraffic` and docs/backends.md.
   * @default InClusterTraffic.PASS: later policies decide (Calico: `Pass` to the next tier for a tiered zone)
   */
  readonly inCluster?: InClusterTraffic;
  /**
   * Allow the Kubernetes API server (`kubernetes.default`), at the addresses and port the ClusterNetwork
   * declares (`apiServerAddresses`), whatever `inCluster` says.
   * @default false
   */
  readonly allowApiServer?: boolean;
  /**
   * Pools the zone's pods take their addresses from (decides what source address the outside sees).
   * @default - the cluster's default pool with NAT outgoing
   */
  readonly natPools?: NatPool[];
  /**
   * Gateway the zone's external traffic leaves through.
   * @default - no gateway
   */
  readonly gateway?: IEgressGateway;
  /**
   * With a gateway: leave directly when no gateway replica is ready, instead of dropping.
   * @default false (fail closed)
   */
  readonly failOpen?: boolean;
  /**
   * Policy order (lower applies first). Zones default to 100 so they run before Kubernetes NetworkPolicies
   * (which Calico orders at 1000) and after anything a platform team puts below 100.
   * @default 100
   */
  readonly order?: number;
  /**
   * Calico tier of the zone's policy. A tier other than "default" is emitted as a Calico `Tier`.
   * @default "default"
   */
  readonly tier?: string;
  /**
   * Order of the zone's tier among Calico's tiers (lower applies first; the default tier is 1,000,000). Zones
   * in one tier must not give different orders.
   * @default 100 (for a tier other than "default")
   */
  readonly tierOrder?: number;
  /**
   * Whether the zone's policies act on traffic or are only staged (Calico evaluates and reports them in its
   * flow logs without acting; the zone's traffic stays off its gateway). Calico and Calico Enterprise only.
   * @default - the ClusterNetwork's `enforcement`, else Enforcement.ENFORCED
   */
  readonly enforcement?: Enforcement;
  /**
   * Backend this zone is rendered for.
   * @default - the chart's default (Backend.setDefault), else Calico
   */
  readonly backend?: Backend;
  /**
   * A mesh layer composed with `backend` (`Backend.istio()`): it enforces the rules' HTTP matches at its egress
   * point, and the network backend lets the zone's external traffic leave only through that egress point.
   * @default - no mesh: rules with an HTTP match are a synth error
   */
  readonly mesh?: Backend;
  /**
   * The service accounts of the zone's pods ("namespace/name", in the zone's namespaces): a mesh identifies clients by
   * namespace and service account, not pod labels, so a mesh zone with a pod selector names them, and the mesh allows
   * only these.
   * @default - the mesh allows the zone's whole namespaces (a mesh zone with a pod selector is then a synth error)
   */
  readonly serviceAccounts?: string[];
}

/**
 * A set of workloads (namespaces and/or pods) that share one egress posture: default-deny egress, DNS
 * allowed, the zone's allowed external destinations, its NAT behaviour and its gateway.
 */
export class EgressZone extends Construct {
  /** Name of the zone. */
  public readonly zoneName: string;
  /** Backend the zone is rendered for. */
  public readonly backend: Backend;
  private readonly props: EgressZoneProps;
  private readonly namespaces: string[];
  private readonly podSelector: Selector;
  private readonly natPools: NatPool[];
  private readonly serviceAccounts?: string[];
  private gateway?: IEgressGateway;
  /** @internal the construct path, kept: every zone.allow() and the model builder ask for it */
  public readonly _modelPath: string;
  /** The zone's own rules (zone.allow), by id. */
  private readonly rules = new Map<string, RuleDeclaration>();

  /**
   * @param scope the construct this EgressZone belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see EgressZoneProps)
   */
  constructor(scope: Construct, id: string, props: EgressZoneProps = {}) {
    super(scope, constructId(scope, id, 'EgressZone'));
    try {
      ensureSynthesizer(this);
      const path = this.node.path;
      this._modelPath = path;
      this.props = props;
      this.zoneName = validateDnsLabel('name', props.name ?? toDnsLabel(id), path);
      this.namespaces = [...new Set(props.namespaces ?? [])].sort();
      this.namespaces.forEach((ns, i) => validateDnsLabel(`namespaces[${i}]`, ns, path));
      if (this.namespaces.length === 0 && !props.namespaceSelector) {
        throw new EgressValidationError('namespaces', '[]', 'is empty and no namespaceSelector is given: a zone must say which namespaces it covers', path,
          'namespaces: ["web"], or namespaceSelector: Selector.labelEquals("team", "web")');
      }
      for (const [field, sel] of [['namespaceSelector', props.namespaceSelector], ['podSelector', props.podSelector]] as const) {
        if (sel?.usesGlobal) throw new EgressValidationError(field, sel.toString(), 'uses global(), which Calico only allows in a rule\'s namespaceSelector', path, 'select by labels');
      }
      let pods = props.podSelector ?? Selector.all();
      if (props.podLabels && Object.keys(props.podLabels).length > 0) pods = Selector.and(pods, Selector.fromLabels(props.podLabels));
      this.podSelector = pods;
      if (props.order !== undefined && (!Number.isFinite(props.order) || props.order < 0)) {
        throw new EgressValidationError('order', String(props.order), 'is not a finite, non-negative number', path, 'e.g. 100; a lower order is evaluated first');
      }
      if (props.tier !== undefined) validateDnsLabel('tier', props.tier, path);
      checkInCluster(props, path);
      checkChoice('enforcement', props.enforcement, Enforcement, path, 'use Enforcement.ENFORCED or Enforcement.STAGED');
      if (props.dns) dnsModel(props.dns, path);
      this.natPools = [...(props.natPools ?? [])];
      this.gateway = props.gateway;
      this.backend = props.backend ?? Backend.defaultFor(this);
      checkMesh(this.backend, props.mesh, path);
      this.serviceAccounts = checkServiceAccounts(props.serviceAccounts, this.namespaces, path);
    } catch (e) {
      withdraw(this);
      throw e;
    }
  }

  /**
   * Allows this zone to reach external destinations; returns the rule.
   *
   * The rule is part of the zone, not a construct of its own (like a security group's rules in aws-cdk): its
   * path, named by errors and the egress model, is "<zone>/<id>", and `id` must be unique among the zone's
   * rules and children. For one rule shared by several zones, use the `AllowExternal` construct.
   */
  public allow(id: string, options: AllowExternalOptions): IEgressRule {
    // The id rules of constructs: not empty, "/" becomes "--", unique among the zone's rules and children.
    if (!id) throw new EgressValidationError('id', id, 'is empty: a rule needs an id', this.node.path, 'zone.allow("https", { … })');
    const key = id.replace(/\//g, '--');
    const path = `${this._modelPath}/${key}`;
    if (this.rules.has(key) || this.node.tryFindChild(key)) {
      throw new EgressValidationError('id', id, 'is already used by another rule or construct of this zone', path);
    }
    const rule = new RuleDeclaration(path, id, this.zoneName, options);
    this.rules.set(key, rule);
    return rule;
  }

  /** Sends this zone's external traffic through a gateway. */
  public egressVia(gateway: IEgressGateway): void {
    if (this.gateway && this.gateway !== gateway) {
      throw new EgressValidationError('gateway', gateway.gatewayName, `conflicts with gateway "${this.gateway.gatewayName}" already set`, this.node.path);
    }
    this.gateway = gateway;
  }

  /** Adds a pool the zone's pods take addresses from. */
  public addNatPool(pool: NatPool): void {
    this.natPools.push(pool);
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    builder.addZone({
      name: this.zoneName,
      path: this.node.path,
      backend: this.backend.name,
      description: this.props.description,
      members: {
        namespaces: this.namespaces,
        namespaceSelector: this.props.namespaceSelector?.toString(),
        podSelector: this.podSelector.toString(),
        ...(this.serviceAccounts ? { serviceAccounts: this.serviceAccounts } : {}),
      },
      dns: this.props.dns ? dnsModel(this.props.dns, this.node.path) : undefined,
      inCluster: this.props.inCluster ?? (this.props.allowInCluster ? InClusterTraffic.ALLOW : InClusterTraffic.PASS),
      allowApiServer: this.props.allowApiServer ?? false,
      natPools: this.natPools.map(p => p.poolName),
      gateway: this.gateway?.gatewayName,
      failOpen: this.props.failOpen ?? false,
      order: this.props.order ?? 100,
      tier: this.props.tier ?? 'default',
      tierOrder: this.props.tierOrder,
      enforcement: this.props.enforcement,
      mesh: this.props.mesh?._mesh,
    });
    const zoneNames = [this.zoneName];
    for (const rule of this.rules.values()) rule.contribute(builder, zoneNames);
  }
}

/** The in-cluster and tier props that only make sense together. */
function checkInCluster(props: EgressZoneProps, path: string): void {
  checkChoice('inCluster', props.inCluster, InClusterTraffic, path, 'use InClusterTraffic.ALLOW, PASS or DENY');
  if (props.allowInCluster !== undefined && props.inCluster !== undefined && props.allowInCluster !== (props.inCluster === InClusterTraffic.ALLOW)) {
    throw new EgressValidationError('allowInCluster', String(props.allowInCluster), `contradicts inCluster "${props.inCluster}"`, path, 'set inCluster only');
  }
  if (props.tierOrder !== undefined) {
    if (!Number.isFinite(props.tierOrder) || props.tierOrder < 0) {
      throw new EgressValidationError('tierOrder', String(props.tierOrder), 'is not a finite, non-negative number', path, 'e.g. 50; a lower order applies first, the default tier is 1,000,000');
    }
    if ((props.tier ?? 'default') === 'default') {
      throw new EgressValidationError('tierOrder', String(props.tierOrder), 'is set but the zone is in the default tier, whose order is Calico\'s', path, 'set tier too, or leave tierOrder out');
    }
  }
}
