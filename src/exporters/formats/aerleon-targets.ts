/**
 * The Aerleon generators the exported policy targets, with their header options, as data.
 *
 * Chosen so that every generated filter owns only objects the export names (a filter, list, chain or section
 * called cdk8s-egress), filters forwarded traffic on the way out where the platform has a direction, and keeps
 * each address family where the platform puts it (one `mixed` filter, or one filter per family). Generators
 * left out are named in AERLEON_LEFT_OUT with the reason; test/aerleon runs every generator, listed or not.
 */

/** One filter header: the target's options, and the address families its filter carries. */
export interface AerleonFilter {
  /** The header's option words (`aclgen` reads them after the target name). */
  readonly options: string;
  /** The families this filter renders: 4, 6, or both. */
  readonly families: number[];
}

/** One Aerleon generator the export targets. */
export interface AerleonTarget {
  /** Aerleon's target name (its generator). */
  readonly target: string;
  /** What it generates, in words. */
  readonly platform: string;
  /** Its filters (two when the platform has no filter that carries both families). */
  readonly filters: AerleonFilter[];
}

const FILTER = 'cdk8s-egress';
const ACL = 'CDK8S-EGRESS';
const both = (options: string): AerleonFilter[] => [{ options, families: [4, 6] }];
const split = (v4: string, v6: string): AerleonFilter[] => [{ options: v4, families: [4] }, { options: v6, families: [6] }];

/** Every generator the policy targets, in Aerleon's registry order. */
export const AERLEON_TARGETS: AerleonTarget[] = [
  { target: 'juniper', platform: 'Junos firewall filter', filters: split(`${FILTER} inet`, `${FILTER}-v6 inet6`) },
  { target: 'juniperevo', platform: 'Junos EVO firewall filter', filters: split(`${FILTER} inet egress`, `${FILTER}-v6 inet6 egress`) },
  { target: 'msmpc', platform: 'Junos MS-MPC service filter', filters: both(`${FILTER} mixed egress`) },
  { target: 'srx', platform: 'Junos SRX security policies', filters: both('from-zone trust to-zone untrust mixed') },
  { target: 'cisco', platform: 'Cisco IOS access list', filters: both(`${ACL} mixed`) },
  // Aerleon's ASA terms are IPv4 only (ciscoasa.Term af=4): IPv6 terms render as empty remarks.
  { target: 'ciscoasa', platform: 'Cisco ASA access list (IPv4)', filters: [{ options: ACL, families: [4] }] },
  { target: 'aruba', platform: 'Aruba ACL', filters: split(FILTER, `${FILTER}-v6 inet6`) },
  { target: 'brocade', platform: 'Brocade access list', filters: both(`${ACL} mixed`) },
  { target: 'arista', platform: 'Arista EOS access list', filters: split(`${ACL} extended`, `${ACL}-V6 inet6`) },
  { target: 'arista_tp', platform: 'Arista EOS traffic policy', filters: both(`${FILTER} mixed`) },
  { target: 'ipset', platform: 'iptables with ipset', filters: split(`${ACL} truncateterms nostate inet`, `${ACL} truncateterms nostate inet6`) },
  { target: 'iptables', platform: 'iptables', filters: split(`${ACL} truncateterms nostate inet`, `${ACL} truncateterms nostate inet6`) },
  { target: 'nsxv', platform: 'VMware NSX-V distributed firewall section', filters: both(`${FILTER} mixed`) },
  { target: 'nsxt', platform: 'VMware NSX-T distributed firewall policy', filters: both(`${FILTER} mixed`) },
  { target: 'openconfig', platform: 'OpenConfig ACL (JSON)', filters: both(`${FILTER} mixed`) },
  { target: 'sonic', platform: 'SONiC ACL (JSON)', filters: both(`${ACL} mixed`) },
  { target: 'speedway', platform: 'iptables (Speedway)', filters: split(`${ACL} truncateterms nostate inet`, `${ACL} truncateterms nostate inet6`) },
  { target: 'packetfilter', platform: 'OpenBSD pf', filters: both(`${FILTER} mixed out nostate`) },
  { target: 'srxlo', platform: 'Junos SRX loopback filter', filters: split(`${FILTER} inet`, `${FILTER}-v6 inet6`) },
  { target: 'cisconx', platform: 'Cisco NX-OS access list', filters: both(`${ACL} mixed`) },
  { target: 'ciscoxr', platform: 'Cisco IOS XR access list', filters: split(ACL, `${ACL}-V6 inet6`) },
  { target: 'nftables', platform: 'nftables', filters: both('mixed forward ACCEPT') },
  { target: 'nokiasrl', platform: 'Nokia SR Linux ACL (JSON)', filters: both(`${FILTER} mixed`) },
  { target: 'nvueapi', platform: 'NVIDIA Cumulus NVUE ACL (JSON)', filters: split(`${FILTER} ipv4`, `${FILTER}-v6 ipv6`) },
  { target: 'proxmox', platform: 'Proxmox VE cluster firewall', filters: both('cluster FORWARD') },
  { target: 'paloalto', platform: 'Palo Alto PAN-OS security rules (XML)', filters: both('from-zone trust to-zone untrust mixed') },
  { target: 'fortigate', platform: 'FortiGate policies (CLI)', filters: both('from-zone port1 to-zone port2 mixed') },
];

/** Aerleon's generators the policy does not target, and why (test/aerleon still runs them and reports). */
export const AERLEON_LEFT_OUT: { target: string; why: string }[] = [
  { target: 'gce', why: 'GCE VPC egress rules match the instances they apply to by tag or service account, not by source address (aerleon: "Egress rules cannot include sourceRanges"); our gcp export writes them' },
  { target: 'gcp_hf', why: 'hierarchical firewall egress rules have no source range: aerleon drops the source addresses, so every allow would cover every VM and every zone deny would deny all traffic' },
  { target: 'cloudarmor', why: 'Cloud Armor filters requests to load balancers by client address: no destination, port or protocol' },
  { target: 'pcap', why: 'aclgen 1.18 cannot write its files: pathlib rejects the suffix "-accept.pcap" (ValueError: Invalid suffix), which aborts the whole run; the generator itself renders (test/aerleon)' },
  { target: 'windows_advfirewall', why: 'Windows Firewall rules have no order: a block rule wins over every allow, so each zone\'s deny (action=block) would block the allows before it' },
  { target: 'k8s', why: 'a NetworkPolicy selects its pods by label, not by source address (aerleon: "Egress rules cannot include source-address"); the Kubernetes backend writes these' },
];
