import { CalicoAssignmentMode, CalicoEncapsulationMode, CalicoIPPoolAllowedUse } from './calico-enums';

/** Spec of a Calico IPPool (projectcalico.org/v3), field names as in the API. */
export interface CalicoIPPoolSpec {
  /** The pool's CIDR, strictly masked (e.g. "10.244.0.0/16"). */
  readonly cidr: string;
  /**
   * Prefix length of the blocks handed to nodes: 20-32 (IPv4) or 116-128 (IPv6), at least the pool's prefix length.
   * @default 26 for IPv4, 122 for IPv6
   */
  readonly blockSize?: number;
  /**
   * IPIP encapsulation (IPv4 pools only).
   * @default Never
   */
  readonly ipipMode?: CalicoEncapsulationMode;
  /**
   * VXLAN encapsulation.
   * @default Never
   */
  readonly vxlanMode?: CalicoEncapsulationMode;
  /**
   * Masquerade traffic from the pool's addresses to destinations outside every pool.
   * @default false
   */
  readonly natOutgoing?: boolean;
  /**
   * Stop IPAM assigning addresses from the pool (the pool still counts as "inside" for NAT outgoing).
   * @default false
   */
  readonly disabled?: boolean;
  /**
   * Do not export the pool's routes over BGP.
   * @default false
   */
  readonly disableBGPExport?: boolean;
  /**
   * Selector of the nodes that may assign addresses from the pool.
   * @default all() (every node)
   */
  readonly nodeSelector?: string;
  /**
   * Selector of the namespaces whose pods may get addresses from the pool.
   * @default every namespace
   */
  readonly namespaceSelector?: string;
  /**
   * What the addresses are for, each at most once; LoadBalancer excludes the others.
   * @default Workload and Tunnel
   */
  readonly allowedUses?: CalicoIPPoolAllowedUse[];
  /**
   * Whether addresses are assigned automatically or only on request.
   * @default Automatic
   */
  readonly assignmentMode?: CalicoAssignmentMode;
}
