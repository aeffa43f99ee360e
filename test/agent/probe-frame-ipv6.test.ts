import { PROBE_MAGIC, parseProbeAnswer } from '../../src/agent/shared/probe-frame';
import { buildProbeFrameV6, ipv6Bytes } from '../../src/agent/shared/probe-frame-ipv6';

/** Ones' complement sum of 16-bit words (an odd last byte padded). */
function onesSum(parts: Buffer[]): number {
  const all = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += i + 1 < all.length ? all.readUInt16BE(i) : all[i] * 256;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16); // eslint-disable-line no-bitwise
  return sum;
}

describe('IPv6 data-path probe frame', () => {
  test.each([
    ['fd00:198:18::5', 'fd000198001800000000000000000005'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::', '20010db8000000000000000000000000'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
  ])('ipv6Bytes(%s)', (ip, hex) => {
    expect(ipv6Bytes(ip).toString('hex')).toBe(hex);
  });

  test('VXLAN + Ethernet (IPv6) + IPv6 + UDP from the node to itself; the UDP checksum verifies over the pseudo-header', () => {
    const node = 'fd00:198:18::5';
    const f = buildProbeFrameV6({ vni: 0x650001, innerDstMac: '02:65:0a:c9:64:0b', nodeIp: node, port: 9440, token: 0xdeadbeef, seq: 7 });
    expect(f.length).toBe(8 + 14 + 40 + 8 + 12);
    expect(f.readUIntBE(4, 3)).toBe(0x650001);
    expect(f.subarray(8, 14).toString('hex')).toBe('02650ac9640b');
    expect(f.readUInt16BE(20)).toBe(0x86dd);
    const ip = f.subarray(22, 62);
    expect(ip[0] >> 4).toBe(6); // eslint-disable-line no-bitwise
    expect(ip.readUInt16BE(4)).toBe(20);
    expect(ip[6]).toBe(17);
    expect(ip.subarray(8, 24)).toEqual(ipv6Bytes(node));
    expect(ip.subarray(24, 40)).toEqual(ipv6Bytes(node));
    const udp = f.subarray(62);
    expect([udp.readUInt16BE(0), udp.readUInt16BE(2), udp.readUInt16BE(4)]).toEqual([9440, 9440, 20]);
    expect(udp.readUInt16BE(6)).not.toBe(0); // mandatory in IPv6
    const pseudo = Buffer.alloc(40);
    ipv6Bytes(node).copy(pseudo, 0);
    ipv6Bytes(node).copy(pseudo, 16);
    pseudo.writeUInt32BE(20, 32);
    pseudo[39] = 17;
    expect(onesSum([pseudo, udp])).toBe(0xffff);
    // The payload is what the answer carries back.
    expect(udp.readUInt32BE(8)).toBe(PROBE_MAGIC);
    expect(parseProbeAnswer(udp.subarray(8))).toEqual({ token: 0xdeadbeef, seq: 7 });
  });
});
