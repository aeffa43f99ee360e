// Packet marks are bit fields.
/* eslint-disable no-bitwise */
import { FIRST_PIN, markCapacity, markValue } from '../../src/agent/node/mark-layout';
import { bitCapacity, depositBits } from '../../src/agent/shared/mark-bits';
import { DATA_PATH_DEFAULTS, DataPathConfig } from '../../src/datapath/data-path-config';

/** Felix v3.31's default nftablesMarkMask / iptablesMarkMask (felix/config/config_params.go). */
const FELIX_DEFAULT_MASK = 0xffff0000;
/** kube-proxy's masquerade mark and the kubelet's / kube-proxy's drop mark; the AWS VPC CNI's connmark. */
const OTHERS = [0x4000, 0x8000, 0x80];

/**
 * Felix's markBitsManager (felix/dataplane/driver.go) hands out, from the bottom of its mask: accept, pass, drop,
 * scratch0, scratch1 (and a WireGuard bit when enabled), then every bit left as the endpoint mark.
 */
function felixAllocation(mask: number): { single: number[]; endpoint: number } {
  const bits: number[] = [];
  for (let b = 0; b < 32; b++) if (mask & (2 ** b)) bits.push((2 ** b) >>> 0);
  const single = bits.slice(0, 6); // accept, pass, drop, scratch0, scratch1, WireGuard
  return { single, endpoint: bits.slice(6).reduce((a, b) => (a | b) >>> 0, 0) };
}

describe('mark bits', () => {
  test('the default owned bits are disjoint from every bit Felix allocates with its default mask, and from kube-proxy\'s', () => {
    const ours = DATA_PATH_DEFAULTS.node.markMask;
    const felix = felixAllocation(FELIX_DEFAULT_MASK);
    for (const b of [...felix.single, felix.endpoint, ...OTHERS]) {
      expect({ bit: b.toString(16), overlap: (ours & b) >>> 0 }).toEqual({ bit: b.toString(16), overlap: 0 });
    }
    // The old default (0x0ff00000) sat on Felix's drop/scratch bits and endpoint block.
    expect((0x0ff00000 & (felix.endpoint | felix.single.reduce((a, b) => a | b, 0))) >>> 0).not.toBe(0);
  });

  test('numbers are deposited into the mask\'s bits in order, so zone marks stay below pin marks', () => {
    const mask = 0x00003f7f; // bit 7 left out
    expect(depositBits(0x7f, mask)).toBe(0x7f);
    expect(depositBits(0x80, mask)).toBe(0x100);
    expect(depositBits(1, 0x0ff00000)).toBe(0x00100000); // a contiguous mask is a shift
    expect(bitCapacity(mask)).toBe(8192);
    const config = { node: { ...DATA_PATH_DEFAULTS.node, markMask: mask } } as unknown as DataPathConfig;
    const values = Array.from({ length: markCapacity(config) }, (_, n) => markValue(config, n));
    expect(values.every((v, i) => i === 0 || v > values[i - 1])).toBe(true);
    expect(values.every((v) => (v & ~mask) >>> 0 === 0)).toBe(true);
    expect(markValue(config, 63)).toBeLessThan(markValue(config, FIRST_PIN));
  });
});
