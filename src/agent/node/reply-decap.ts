/**
 * The node's half of the replies' way back (the gateway's half: gateway/reply-tunnel.ts). A reply arrives inside the
 * tunnel it left by, addressed to the node's tunnel MAC (which the replica learned from the request); the kernel
 * decapsulates it and routes it to the pod like any forwarded packet, through Felix's chains for the pod, where
 * conntrack knows it (the request left through the same tunnel): established, so nothing is invalid and the pod's
 * ingress policy is not asked again.
 *
 * Kernel quirk: reverse-path filtering, strict or loose, rejects every packet arriving on a device without an IPv4
 * address (fib_validate_source: no_addr → e_rpf), and the kernel applies max(conf.all, conf.<device>) — Ubuntu and
 * Debian nodes run loose (2). So each tunnel holds this link-scoped /32, which nothing routes to: with it, loose
 * filtering accepts the replies (their sources are reachable by the default route). Strict filtering (1) on
 * conf.all would still drop them (their reverse path is not the tunnel): docs/egress-gateway.md says so.
 */
export const REPLY_DECAP_ADDRESS = '169.254.101.1';

