import { CalicoPort, CalicoProtocol } from '../calico';
import { BoundedMemo } from '../model/bounded-memo';
import { Port, PortModel } from '../model/port';

/** The ports of one Calico rule: one protocol, and one ICMP type/code at most. */
export interface ProtocolGroup {
  /** Undefined for all traffic (a port list holding Port.allTraffic()): a Calico rule without a protocol. */
  readonly protocol?: CalicoProtocol;
  /** 4 or 6 for ICMP/ICMPv6 (Calico requires the matching ipVersion), else undefined. */
  readonly ipVersion?: number;
  /** Ports, or undefined for every port of the protocol. */
  readonly ports?: CalicoPort[];
  readonly icmp?: { type?: number; code?: number };
}

// Estates repeat a handful of port lists across thousands of rules: each list is grouped once. The groups
// (and their CalicoPort values) are immutable, so rules share them.
const PORT_GROUPS = new BoundedMemo<string, ProtocolGroup[]>(10_000);

/** A port list's identity, for memos keyed by it. */
export function portsKey(models: PortModel[]): string {
  let key = '';
  for (const m of models) key += `${m.protocol}|${m.fromPort}|${m.toPort}|${m.portName}|${m.icmpType}|${m.icmpCode};`;
  return key;
}

/** Ports grouped per protocol: a Calico rule carries one protocol, and one ICMP type/code at most. */
export function groupByProtocol(models: PortModel[]): ProtocolGroup[] {
  const key = portsKey(models);
  return PORT_GROUPS.get(key) ?? PORT_GROUPS.set(key, buildProtocolGroups(models));
}

function buildProtocolGroups(models: PortModel[]): ProtocolGroup[] {
  // All traffic covers every other port of the list: one rule that names no protocol (Calico then matches any).
  if (models.some(m => m.protocol === undefined)) return [{}];
  const out: ProtocolGroup[] = [];
  const byProto = new Map<string, Port[]>();
  for (const m of models) {
    const port = Port.fromModel(m);
    const key = port.protocol!.name;
    byProto.set(key, [...(byProto.get(key) ?? []), port]);
  }
  for (const [name, ports] of byProto) {
    const protocol = CalicoProtocol.parse(name);
    const ipVersion = ports[0].protocol!.ipVersion || undefined;
    if (ports.some(p => p.isWholeProtocol)) {
      out.push({ protocol, ipVersion });
    } else if (ports[0].protocol!.isIcmp) {
      for (const p of ports) out.push({ protocol, ipVersion, icmp: { type: p.icmpType, code: p.icmpCode } });
    } else {
      out.push({
        protocol,
        ports: ports.map(p => p.portName !== undefined ? CalicoPort.named(p.portName)
          : p.fromPort === p.toPort ? CalicoPort.of(p.fromPort!) : CalicoPort.range(p.fromPort!, p.toPort!)),
      });
    }
  }
  return out;
}
