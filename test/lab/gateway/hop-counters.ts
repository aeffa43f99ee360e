/**
 * Packets per GB at every hop of a path (issue 22, section 4): each device's packet and byte counters in the network
 * namespaces a path crosses, read before and after a transfer. A device that passes one 64 KB GSO/GRO super-packet
 * counts one packet, so packets per GB says how much per-packet work each hop did: about 700,000 for MTU-sized
 * frames (1,450 bytes), about 16,000 for full super-packets.
 */
import { nsRun } from '../lab';

interface DeviceCounts { rxPackets: number; rxBytes: number; txPackets: number; txBytes: number }
export type CounterSnapshot = Map<string, DeviceCounts>;

/** One hop's traffic over the transfer. */
export interface Hop {
  readonly hop: string;
  readonly direction: 'rx' | 'tx';
  readonly bytes: number;
  readonly packets: number;
  readonly packetsPerGb: number;
}

/** The counters of every device in these namespaces, keyed `<role>/<device>`. */
export function readCounters(namespaces: Record<string, string>): CounterSnapshot {
  const out: CounterSnapshot = new Map();
  for (const [role, netns] of Object.entries(namespaces)) {
    for (const l of JSON.parse(nsRun(netns, ['ip', '-s', '-j', 'link', 'show']) || '[]')) {
      const s = l.stats64 ?? l.stats;
      if (!s || l.ifname === 'lo') continue;
      out.set(`${role}/${l.ifname}`, { rxPackets: s.rx.packets, rxBytes: s.rx.bytes, txPackets: s.tx.packets, txBytes: s.tx.bytes });
    }
  }
  return out;
}

/** The hops that carried at least `minBytes` in one direction between two snapshots (the data, not the ACKs). */
export function hopsBetween(before: CounterSnapshot, after: CounterSnapshot, minBytes: number): Hop[] {
  const hops: Hop[] = [];
  for (const [hop, a] of after) {
    const b = before.get(hop) ?? { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0 };
    for (const direction of ['rx', 'tx'] as const) {
      const bytes = a[`${direction}Bytes`] - b[`${direction}Bytes`];
      const packets = a[`${direction}Packets`] - b[`${direction}Packets`];
      if (bytes >= minBytes) hops.push({ hop, direction, bytes, packets, packetsPerGb: Math.round(packets / (bytes / 1e9)) });
    }
  }
  return hops.sort((x, y) => x.hop.localeCompare(y.hop) || x.direction.localeCompare(y.direction));
}

/** Offload features switched off on a device (not the ones the driver cannot have: `[fixed]`). */
export function offloadsOff(netns: string, dev: string): string[] {
  const wanted = /^(tx-checksum-ip-generic|generic-segmentation-offload|generic-receive-offload|tcp-segmentation-offload|tx-udp_tnl-segmentation|tx-udp_tnl-csum-segmentation|rx-checksumming|tx-checksumming|scatter-gather)$/;
  return nsRun(netns, ['ethtool', '-k', dev]).split('\n')
    .map((l) => /^\s*([a-z0-9_-]+): off(?! \[fixed\])/.exec(l)?.[1])
    .filter((f): f is string => !!f && wanted.test(f));
}
