import { BackendProblems } from './backend-problems';
import { CiliumIcmpField, CiliumPortProtocol } from '../cilium';
import { Port } from '../model/port';

// The model's ports in Cilium's terms (selectors: kube-selector.ts), each problem reported: shared by the
// network policies (cilium-renderer.ts) and the egress gateway policies (cilium-gateway-policies.ts).

/** A rule's ports as Cilium writes them. */
export interface PortTranslation {
  /** Every protocol and port: the rule needs no toPorts/icmps. */
  readonly all: boolean;
  readonly ports: CiliumPortProtocol[];
  readonly icmps: CiliumIcmpField[];
}

export function translatePorts(ports: Port[], what: string, path: string, problems: BackendProblems): PortTranslation {
  if (ports.some(p => p.isAllTraffic)) return { all: true, ports: [], icmps: [] };
  const out: CiliumPortProtocol[] = [];
  const icmps: CiliumIcmpField[] = [];
  for (const p of ports) {
    const proto = p.protocol!;
    if (proto.isIcmp) {
      if (p.icmpType === undefined) problems.add(`every ICMP type (${what}: "${p}"; Cilium matches ICMP by type)`, path, 'list the ICMP types');
      else if (p.icmpCode !== undefined) problems.add(`ICMP codes (${what}: "${p}"; Cilium matches ICMP type only)`, path, 'drop the code');
      else icmps.push({ type: p.icmpType, family: proto.ipVersion === 6 ? 'IPv6' : 'IPv4' });
    } else if (proto.supportsPorts) {
      if (p.portName !== undefined) out.push({ port: p.portName, protocol: proto.name });
      else if (p.fromPort === undefined) out.push({ port: '0', protocol: proto.name });
      else out.push({ port: String(p.fromPort), endPort: p.toPort !== p.fromPort ? p.toPort : undefined, protocol: proto.name });
    } else {
      problems.addUnsupported('other-protocols', `protocol ${proto.name} (${what}: Cilium matches TCP, UDP, SCTP and ICMP only)`, path);
    }
  }
  return { all: false, ports: out, icmps };
}
