/* eslint-disable no-bitwise */ // frame layout is bit and byte arithmetic
/**
 * The data-path probe: a VXLAN frame the node agent sends from an ordinary UDP socket to a gateway
 * replica's VXLAN port. It carries an inner IPv4/UDP datagram from the node back to the node
 * itself, so the replica's kernel decapsulates it on the zone's tunnel device, forwards it through
 * the gateway table (which admits exactly this datagram), SNATs it to the egress IP and routes it
 * out: the answer proves that the replica *forwards*, whether or not its agent process runs.
 *
 * Written by hand because it is 50 bytes of fixed layout (RFC 7348 header, Ethernet, IPv4 with its
 * checksum, UDP with checksum 0 as IPv4 allows); no maintained library builds raw frames for a
 * plain UDP socket, and a raw socket would need CAP_NET_RAW, which the agents do not have.
 */

/** First 4 bytes of the inner UDP payload ("EGPR"); the gateway table matches them. */
export const PROBE_MAGIC = 0x45475052;

export interface ProbeFrame {
  readonly vni: number;
  /** The replica's tunnel device MAC (derived from its pod IP, like the node's FDB entries). */
  readonly innerDstMac: string;
  /** The node's own address: inner source and destination (the answer comes back to it). */
  readonly nodeIp: string;
  readonly port: number;
  /** Identifies the prober and the replica: answers are matched on it. */
  readonly token: number;
  readonly seq: number;
}

const PROBER_MAC = [0x02, 0x65, 0x67, 0x70, 0x72, 0x62]; // locally administered; the gateway's tunnels do not learn

function ipBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** The inner UDP payload of a probe: the magic word, the token and the sequence number. */
export function probePayload(p: ProbeFrame): Buffer {
  const payload = Buffer.alloc(12);
  payload.writeUInt32BE(PROBE_MAGIC, 0);
  payload.writeUInt32BE(p.token >>> 0, 4);
  payload.writeUInt32BE(p.seq >>> 0, 8);
  return payload;
}

/** A frame of VXLAN and Ethernet headers (`etherType`) with room for `innerLen` bytes, which start at offset 22. */
export function vxlanEthernetFrame(p: ProbeFrame, etherType: number, innerLen: number): Buffer {
  const b = Buffer.alloc(8 + 14 + innerLen);
  // VXLAN: flags (I bit), 24 reserved bits, VNI, 8 reserved bits.
  b[0] = 0x08;
  b.writeUIntBE(p.vni, 4, 3);
  let o = 8;
  const mac = p.innerDstMac.split(':').map((h) => parseInt(h, 16));
  for (const x of [...mac, ...PROBER_MAC]) b[o++] = x;
  b.writeUInt16BE(etherType, o);
  return b;
}

/** The VXLAN payload to send to `<replica>:<vxlanPort>`. */
export function buildProbeFrame(p: ProbeFrame): Buffer {
  const payload = probePayload(p);
  const udpLen = 8 + payload.length;
  const ipLen = 20 + udpLen;
  const b = vxlanEthernetFrame(p, 0x0800, ipLen);
  let o = 22;
  const ip = o;
  b[o] = 0x45; // IPv4, 20-byte header
  b.writeUInt16BE(ipLen, o + 2);
  b.writeUInt16BE(p.seq & 0xffff, o + 4);
  b.writeUInt16BE(0x4000, o + 6); // don't fragment
  b[o + 8] = 64; // TTL
  b[o + 9] = 17; // UDP
  const addr = ipBytes(p.nodeIp);
  for (let i = 0; i < 4; i++) {
    b[o + 12 + i] = addr[i];
    b[o + 16 + i] = addr[i];
  }
  b.writeUInt16BE(ipChecksum(b.subarray(ip, ip + 20)), ip + 10);
  o += 20;
  b.writeUInt16BE(p.port, o);
  b.writeUInt16BE(p.port, o + 2);
  b.writeUInt16BE(udpLen, o + 4);
  // UDP checksum 0: "no checksum", valid for IPv4.
  payload.copy(b, o + 8);
  return b;
}

/** The token and sequence number of an answer (the inner payload as it arrives), or undefined. */
export function parseProbeAnswer(msg: Buffer): { token: number; seq: number } | undefined {
  if (msg.length !== 12 || msg.readUInt32BE(0) !== PROBE_MAGIC) return undefined;
  return { token: msg.readUInt32BE(4), seq: msg.readUInt32BE(8) };
}

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
