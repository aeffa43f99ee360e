/* eslint-disable no-bitwise */ // frame layout is bit and byte arithmetic
import { isIPv6 } from 'node:net';
import { probePayload, ProbeFrame, vxlanEthernetFrame } from './probe-frame';

/**
 * The IPv6 data-path probe (the twin of probe-frame.ts): the same VXLAN frame over the IPv4 underlay, carrying an
 * inner IPv6/UDP datagram from the node's IPv6 address back to itself. The replica forwards it through its IPv6
 * allow-list passage, SNATs it to its IPv6 egress IP and routes it out, so its answer proves the replica forwards
 * IPv6. Unlike IPv4, IPv6 makes the UDP checksum mandatory (RFC 8200 8.1): it is computed here.
 */
export function buildProbeFrameV6(p: ProbeFrame): Buffer {
  const payload = probePayload(p);
  const udpLen = 8 + payload.length;
  const b = vxlanEthernetFrame(p, 0x86dd, 40 + udpLen);
  let o = 22;
  b.writeUInt32BE(0x60000000, o); // version 6, no traffic class, no flow label
  b.writeUInt16BE(udpLen, o + 4);
  b[o + 6] = 17; // UDP
  b[o + 7] = 64; // hop limit
  const addr = ipv6Bytes(p.nodeIp);
  addr.copy(b, o + 8);
  addr.copy(b, o + 24);
  o += 40;
  b.writeUInt16BE(p.port, o);
  b.writeUInt16BE(p.port, o + 2);
  b.writeUInt16BE(udpLen, o + 4);
  payload.copy(b, o + 8);
  b.writeUInt16BE(udpChecksumV6(addr, addr, b.subarray(o, o + udpLen)), o + 6);
  return b;
}

/** The 16 bytes of an IPv6 address in any textual form. */
export function ipv6Bytes(ip: string): Buffer {
  if (!isIPv6(ip)) throw new Error(`"${ip}" is not an IPv6 address`);
  let text = ip.split('%')[0];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** RFC 8200 8.1: the pseudo-header (addresses, length, next header) and the datagram, ones' complement; 0 is sent as 0xffff. */
export function udpChecksumV6(src: Buffer, dst: Buffer, datagram: Buffer): number {
  let sum = 0;
  const add = (buf: Buffer) => {
    for (let i = 0; i < buf.length; i += 2) sum += (buf[i] << 8) + (i + 1 < buf.length ? buf[i + 1] : 0);
  };
  add(src);
  add(dst);
  sum += datagram.length + 17;
  const copy = Buffer.from(datagram);
  copy.writeUInt16BE(0, 6);
  add(copy);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  return c === 0 ? 0xffff : c;
}
