import { ExporterCapabilities } from '../firewall-exporter';

/** What Linux's packet filters (nftables and iptables: the same netfilter matches) can express. */
export const KERNEL_FILTER_CAPABILITIES: ExporterCapabilities = {
  domains: false,
  ipv6: true,
  icmpTypes: true,
  icmpCodes: true,
  protocols: ['all', 'tcp', 'udp', 'sctp', 'udplite', 'icmp', 'icmpv6', 'number'],
};
