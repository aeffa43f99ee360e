// Packet and conntrack marks are bit fields.
/* eslint-disable no-bitwise */

/**
 * Numbers written into the mark bits an agent owns (config.node.markMask), which need not be contiguous: the
 * default owns the low bits Felix (0xffff0000 by default), kube-proxy/kubelet (0x4000, 0x8000) and the AWS VPC CNI
 * (0x80) leave alone. Bit i of the number goes to the i-th lowest bit of the mask (a bit deposit), so the order of
 * numbers is the order of their marks, and a mask of one contiguous run is a plain shift.
 */
export function depositBits(n: number, mask: number): number {
  let out = 0;
  let bit = 1;
  for (let m = mask >>> 0; m !== 0; m = (m & (m - 1)) >>> 0) {
    const lowest = (m & -m) >>> 0;
    if (n & bit) out = (out | lowest) >>> 0;
    bit *= 2;
  }
  return out >>> 0;
}

/** How many distinct numbers the mask holds. */
export function bitCapacity(mask: number): number {
  let count = 0;
  for (let m = mask >>> 0; m !== 0; m = (m & (m - 1)) >>> 0) count++;
  return 2 ** count;
}
