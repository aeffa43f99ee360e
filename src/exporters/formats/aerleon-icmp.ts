/**
 * Aerleon names ICMP types (`icmp-type: echo-request`) from a fixed table, and takes codes only for the types
 * that table gives codes (aerleon 1.18 `policy.Term.ICMP_TYPE` / `ICMP_CODE`). A number outside it cannot be
 * written, so it is reported, never widened to every type.
 */

const ICMP_TYPES: Record<4 | 6, Record<string, number>> = {
  4: {
    'echo-reply': 0,
    'unreachable': 3,
    'source-quench': 4,
    'redirect': 5,
    'alternate-address': 6,
    'echo-request': 8,
    'router-advertisement': 9,
    'router-solicitation': 10,
    'time-exceeded': 11,
    'parameter-problem': 12,
    'timestamp-request': 13,
    'timestamp-reply': 14,
    'information-request': 15,
    'information-reply': 16,
    'mask-request': 17,
    'mask-reply': 18,
    'conversion-error': 31,
    'mobile-redirect': 32,
  },
  6: {
    'destination-unreachable': 1,
    'packet-too-big': 2,
    'time-exceeded': 3,
    'parameter-problem': 4,
    'echo-request': 128,
    'echo-reply': 129,
    'multicast-listener-query': 130,
    'multicast-listener-report': 131,
    'multicast-listener-done': 132,
    'router-solicit': 133,
    'router-advertisement': 134,
    'neighbor-solicit': 135,
    'neighbor-advertisement': 136,
    'redirect-message': 137,
    'router-renumbering': 138,
    'icmp-node-information-query': 139,
    'icmp-node-information-response': 140,
    'inverse-neighbor-discovery-solicitation': 141,
    'inverse-neighbor-discovery-advertisement': 142,
    'version-2-multicast-listener-report': 143,
    'home-agent-address-discovery-request': 144,
    'home-agent-address-discovery-reply': 145,
    'mobile-prefix-solicitation': 146,
    'mobile-prefix-advertisement': 147,
    'certification-path-solicitation': 148,
    'certification-path-advertisement': 149,
    'multicast-router-advertisement': 151,
    'multicast-router-solicitation': 152,
    'multicast-router-termination': 153,
  },
};

const ICMP_CODES: Record<string, number[]> = {
  'unreachable': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  'redirect': [0, 1, 2, 3],
  'router-advertisement': [0, 16],
  'time-exceeded': [0, 1],
  'destination-unreachable': [0, 1, 2, 3, 4, 5, 6, 7],
  'parameter-problem': [0, 1, 2, 3],
  'router-renumbering': [0, 1, 255],
  'icmp-node-information-query': [0, 1, 2],
  'icmp-node-information-response': [0, 1, 2],
};

/** Aerleon's name of an ICMP (family 4) or ICMPv6 (family 6) type; undefined when it has none. */
export function aerleonIcmpType(family: 4 | 6, type: number): string | undefined {
  return Object.entries(ICMP_TYPES[family]).find(([, n]) => n === type)?.[0];
}

/** Whether Aerleon takes `code` for the named type. */
export function aerleonIcmpCode(typeName: string, code: number): boolean {
  return (ICMP_CODES[typeName] ?? []).includes(code);
}
