import { Construct } from 'constructs';
import { declare } from './private/declare';
import { parseCidrAt } from './private/parse-cidr-at';
import { Cidr, IpFamily } from '../model/cidr';
import { constructId } from '../model/construct-id';
import { NamespaceAssignment, PoolEncapsulation } from '../model/egress-model-document';
import { EgressValidationError } from '../model/errors';
import { toDnsLabel, validateDnsLabel, validateDnsSubdomain } from '../model/names';
import { Selector } from '../model/selector';
import type { ModelBuilder } from '../synth/model-builder';

/** What the pool must hold; checked at synth time against the pool's blocks and addresses. */
export interface PoolCapacity {
  /**
   * Nodes that take blocks from this pool (each node needs at least one block of its own).
   * @default - not checked
   */
  readonly nodes?: number;
  /**
   * Pods of this pool on one node at most.
   * @default - not checked
   */
  readonly podsPerNode?: number;
  /**
   * Pods of this pool in the whole cluster at most.
   * @default - not checked
   */
  readonly pods?: number;
}

/** Properties of a NAT pool. */
export interface NatPoolProps {
  /** The pool's CIDR (strictly masked). */
  readonly cidr: string;
  /**
   * Name of the pool (DNS subdomain).
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * Source-NAT traffic leaving the cluster to the node's address. Off means the outside sees pod addresses
   * from this range, so an edge firewall can tell this pool's workloads apart.
   * @default true
   */
  readonly natOutgoing?: boolean;
  /**
   * Allocation block prefix length (20-32 for IPv4, 116-128 for IPv6).
   * @default 26 for IPv4, 122 for IPv6 (Calico's defaults)
   */
  readonly blockSize?: number;
  /**
   * Nodes that may allocate from the pool.
   * @default all()
   */
  readonly nodeSelector?: Selector;
  /**
   * Namespaces whose pods take addresses from this pool (zones using the pool add theirs).
   * @default - only the namespaces of zones that use the pool
   */
  readonly namespaces?: string[];
  /**
   * How namespaces are tied to the pool.
   * @default NamespaceAssignment.NAMESPACE_SELECTOR
   */
  readonly assignment?: NamespaceAssignment;
  /**
   * Destinations that must see the pod address although the pool NATs ("NAT outgoing except to routable
   * ranges"); rendered as disabled Calico pools, which natOutgoing never NATs towards.
   * @default - none
   */
  readonly noNatDestinations?: string[];
  /**
   * Node-level SNAT address for this pool's external traffic (applied by the egress-nat node agent).
   * @default - the node's address (with natOutgoing) or none
   */
  readonly snatAddress?: string;
  /**
   * Encapsulation between nodes.
   * @default PoolEncapsulation.NONE
   */
  readonly encapsulation?: PoolEncapsulation;
  /**
   * What the pool must hold.
   * @default - not checked
   */
  readonly capacity?: PoolCapacity;
}

/**
 * A pod address pool (a Calico IPPool) with or without NAT outgoing, for namespaces/nodes/zones, so an edge
 * firewall can tell workloads apart by source range. Knows its capacity and fails at synth time when it is
 * too small or overlaps another pool.
 */
export class NatPool extends Construct {
  /** Name of the pool. */
  public readonly poolName: string;
  /** The pool's CIDR. */
  public readonly cidr: Cidr;
  /** Allocation block prefix length. */
  public readonly blockSize: number;
  /** Whether the pool NATs outgoing traffic. */
  public readonly natOutgoing: boolean;
  /** How namespaces are tied to the pool. */
  public readonly assignment: NamespaceAssignment;
  private readonly props: NatPoolProps;
  private readonly noNat: Cidr[];
  private readonly namespaces: string[];

  /**
   * @param scope the construct this NatPool belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see NatPoolProps)
   */
  constructor(scope: Construct, id: string, props: NatPoolProps) {
    // Same opening as CalicoEnterpriseGateway's on purpose: declare() runs the shared part, and TypeScript lets
    // only the constructor assign the readonly fields, one by one, from the checked props.
    super(scope, constructId(scope, id, 'NatPool'));
    this.props = props;
    const pool = declare(this, path => checkedPool(id, props, path));
    this.poolName = pool.poolName;
    this.cidr = pool.cidr;
    this.blockSize = pool.blockSize;
    this.natOutgoing = pool.natOutgoing;
    this.assignment = pool.assignment;
    this.noNat = pool.noNat;
    this.namespaces = pool.namespaces;
    // Capacity is checked on the pool as built (its blocks and addresses per block).
    declare(this, () => this.checkCapacity());
  }

  /** Number of allocation blocks the pool holds. */
  public get blockCount(): number {
    return 2 ** (this.blockSize - this.cidr.prefixLength);
  }

  /** Addresses in one block. */
  public get addressesPerBlock(): number {
    return 2 ** ((this.cidr.family === IpFamily.IPV4 ? 32 : 128) - this.blockSize);
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    builder.addNatPool({
      name: this.poolName,
      path: this.node.path,
      cidr: this.cidr.toString(),
      ipVersion: this.cidr.family === IpFamily.IPV4 ? 4 : 6,
      natOutgoing: this.natOutgoing,
      blockSize: this.blockSize,
      nodeSelector: (this.props.nodeSelector ?? Selector.all()).toString(),
      namespaces: this.namespaces,
      noNatDestinations: this.noNat.map(c => c.toString()),
      snatAddress: this.props.snatAddress === undefined ? undefined : Cidr.parse(this.props.snatAddress).networkAddress,
      encapsulation: this.props.encapsulation ?? PoolEncapsulation.NONE,
      nodeCidrs: [],
      assignment: this.assignment,
    });
  }

  // The IP-exhaustion caveat of per-namespace pools, checked with numbers instead of discovered in production.
  private checkCapacity(): void {
    const cap = this.props.capacity;
    if (!cap) return;
    const path = this.node.path;
    for (const [field, v] of [['nodes', cap.nodes], ['podsPerNode', cap.podsPerNode], ['pods', cap.pods]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new EgressValidationError(`capacity.${field}`, String(v), 'is not a whole number', path);
    }
    const perBlock = this.addressesPerBlock;
    const blocks = this.blockCount;
    const blocksPerNode = cap.podsPerNode ? Math.ceil(cap.podsPerNode / perBlock) : 1;
    if (cap.nodes !== undefined && cap.nodes * blocksPerNode > blocks) {
      throw new EgressValidationError('cidr', this.cidr.toString(),
        `is too small: ${cap.nodes} nodes x ${blocksPerNode} /${this.blockSize} block(s) each (${cap.podsPerNode ?? 'at least 1'} pods per node, ${perBlock} addresses per block) need ${cap.nodes * blocksPerNode} blocks, the pool has ${blocks}`,
        path, `a /${this.prefixFor(cap.nodes * blocksPerNode)} pool, or a larger blockSize`);
    }
    const total = this.cidr.addressCount;
    if (cap.pods !== undefined && cap.pods > total) {
      throw new EgressValidationError('cidr', this.cidr.toString(), `is too small: ${cap.pods} pods need ${cap.pods} addresses, the pool has ${total}`, path);
    }
  }

  private prefixFor(blocksNeeded: number): number {
    return this.blockSize - Math.ceil(Math.log2(Math.max(1, blocksNeeded)));
  }
}

/** The props checked as NatPool's constructor takes them. */
function checkedPool(id: string, props: NatPoolProps, path: string) {
  const poolName = validateDnsSubdomain('name', props.name ?? toDnsLabel(id), path);
  const cidr = parseCidrAt('cidr', props.cidr, path);
  const v4 = cidr.family === IpFamily.IPV4;
  const blockSize = props.blockSize ?? (v4 ? 26 : 122);
  const [min, max] = v4 ? [20, 32] : [116, 128];
  if (!Number.isInteger(blockSize) || blockSize < min || blockSize > max) {
    throw new EgressValidationError('blockSize', String(blockSize), `is outside ${min}-${max}, the block sizes Calico allows for ${cidr.family} pools`, path,
      `leave it out for Calico's default (${v4 ? 26 : 122})`);
  }
  if (cidr.prefixLength > blockSize) {
    throw new EgressValidationError('cidr', cidr.toString(), `is smaller than one /${blockSize} block: Calico IPAM needs at least one block`, path,
      `use a /${blockSize} or larger, or blockSize ${cidr.prefixLength}`);
  }
  for (const linkLocal of ['169.254.0.0/16', 'fe80::/10']) {
    const ll = Cidr.parse(linkLocal);
    if (ll.family === cidr.family && ll.overlaps(cidr)) {
      throw new EgressValidationError('cidr', cidr.toString(), `overlaps the link-local range ${linkLocal}`, path);
    }
  }
  const natOutgoing = props.natOutgoing ?? true;
  const assignment = props.assignment ?? NamespaceAssignment.NAMESPACE_SELECTOR;
  const noNat = (props.noNatDestinations ?? []).map((c, i) => parseCidrAt(`noNatDestinations[${i}]`, c, path));
  if (noNat.length > 0 && !natOutgoing) {
    throw new EgressValidationError('noNatDestinations', props.noNatDestinations!.join(','), 'is set on a pool without natOutgoing, where nothing is NATed anyway', path);
  }
  if (props.snatAddress !== undefined) {
    const snat = parseCidrAt('snatAddress', props.snatAddress, path);
    if (snat.prefixLength !== (snat.family === IpFamily.IPV4 ? 32 : 128) || snat.family !== cidr.family) {
      throw new EgressValidationError('snatAddress', props.snatAddress, `is not a single ${cidr.family} address`, path);
    }
  }
  if (props.nodeSelector?.usesGlobal) {
    throw new EgressValidationError('nodeSelector', props.nodeSelector.toString(), 'uses global(), which is not valid in an IPPool nodeSelector', path);
  }
  const namespaces = [...new Set(props.namespaces ?? [])].sort();
  namespaces.forEach((ns, i) => validateDnsLabel(`namespaces[${i}]`, ns, path));
  return { poolName, cidr, blockSize, natOutgoing, assignment, noNat, namespaces };
}
