/**
 * Domain rules for zone pods' IPv6 addresses (docs/domain-names.md): version 5 of the data-path document adds
 * `domains.proxy6`, the IPv6 address the node agent's DNS proxy also listens on. Written only when a domain zone's
 * pods may have IPv6 addresses (compile-domains-ipv6.ts), so agents that cannot enforce it refuse the document at
 * `$.version` (and keep their last good rules) instead of leaving those pods' IPv6 DNS and connections unmanaged.
 */

/** The data-path document version that adds `domains.proxy6`. */
export const DOMAINS_IPV6_VERSION = 5;

/**
 * The proxy's IPv6 address: a /128 from one unique-local /48 (RFC 4193, fdc8:e6e5:5d45::/48, global id chosen at
 * random once), on the agent's dummy device, advertised and routed nowhere. Not link-local: fe80::/10 is scoped to
 * one link, and a pod's query arrives over its own veth, so a DNAT to a link-local address on another device would
 * not be delivered. Not 64:ff9b::/96 (NAT64 translators route it) nor a documentation range (2001:db8::/32, used by
 * tests and examples as "external").
 */
export const DNS_PROXY_ADDRESS6 = 'fdc8:e6e5:5d45::53';

/** The proxy's IPv6 listener: the same port as the IPv4 one. */
export interface DnsProxy6Config {
  readonly address: string;
}
