/** The IP address family of an address or CIDR. */
export enum IpFamily {
  /** IPv4 (32-bit addresses). */
  IPV4 = 'IPv4',
  /** IPv6 (128-bit addresses). */
  IPV6 = 'IPv6',
}
