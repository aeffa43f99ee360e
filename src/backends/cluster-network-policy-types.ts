/**
 * The ClusterNetworkPolicy API of SIG Network's `sigs.k8s.io/network-policy-api` v0.3.0 (policy.networking.k8s.io),
 * as far as the ClusterNetworkPolicy backend writes it. v0.3.0 names the kind ClusterNetworkPolicy (the former
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy are its two tiers), serves it as v1alpha2 and v1beta1 (the stored
 * version) and calls its actions Accept, Deny and Pass. Field names and limits follow the release's Go types
 * (apis/v1beta1/clusternetworkpolicy_types.go); test/validators/network-policy-api decodes our output with them.
 */
import { KubeLabelSelector } from '../model/selector/label-selector-translation';

/** The API group and the version we write (v1beta1 is v0.3.0's storage version). */
export const CNP_API_VERSION = 'policy.networking.k8s.io/v1beta1';
export const CNP_KIND = 'ClusterNetworkPolicy';
/** The release whose types and CRDs the output follows (the Go validator's go.mod pins the same). */
export const CNP_RELEASE = 'sigs.k8s.io/network-policy-api v0.3.0';

/** Admin: before every NetworkPolicy, final. Baseline: only for pods no NetworkPolicy selects. */
export type CnpTier = 'Admin' | 'Baseline';
export type CnpAction = 'Accept' | 'Deny' | 'Pass';

/** `spec.priority`'s highest value (0-1000; lower values first within a tier). */
export const CNP_MAX_PRIORITY = 1000;
/** The CRD's list limits (MaxItems=25 on egress rules, peers, networks, domain names and protocols). */
export const CNP_MAX_ITEMS = 25;

/** `spec.subject`: exactly one of its fields. */
export interface CnpSubject {
  readonly namespaces?: KubeLabelSelector;
  readonly pods?: CnpNamespacedPod;
}

/** Pods of the namespaces `namespaceSelector` selects (empty: every namespace) that `podSelector` selects. */
export interface CnpNamespacedPod {
  readonly namespaceSelector: KubeLabelSelector;
  readonly podSelector: KubeLabelSelector;
}

/** An egress peer: exactly one field. `domainNames` and `nodes` are experimental in v0.3.0. */
export interface CnpEgressPeer {
  readonly namespaces?: KubeLabelSelector;
  readonly pods?: CnpNamespacedPod;
  /** Canonical (masked) CIDRs; they match in-cluster addresses too. */
  readonly networks?: string[];
  /** Experimental: exact names, or `*.` matching one or more labels; Accept rules only. */
  readonly domainNames?: string[];
}

/** A destination port: a number, or a range with start < end. */
export interface CnpPort {
  readonly number?: number;
  readonly range?: { readonly start: number; readonly end: number };
}

/** One protocol match: exactly one field (TCP/UDP/SCTP need a destinationPort: MinProperties=1). */
export interface CnpProtocol {
  readonly tcp?: { readonly destinationPort: CnpPort };
  readonly udp?: { readonly destinationPort: CnpPort };
  readonly sctp?: { readonly destinationPort: CnpPort };
}

/** One egress rule; the first rule (in order) whose peers and protocols match decides. */
export interface CnpEgressRule {
  readonly name: string;
  readonly action: CnpAction;
  readonly to: CnpEgressPeer[];
  /** Absent: every protocol (ICMP included). */
  readonly protocols?: CnpProtocol[];
}

export interface CnpSpec {
  readonly tier: CnpTier;
  readonly priority: number;
  readonly subject: CnpSubject;
  readonly egress: CnpEgressRule[];
}
