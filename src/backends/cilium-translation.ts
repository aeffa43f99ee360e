import { BackendProblems } from './backend-problems';
import { CiliumIcmpField, CiliumPortProtocol } from '../cilium';
import { Port } from '../model/port';
import { KubeLabelSelector, tryKubeLabelSelector } from '../model/selector/label-selector-translation';

// Calico-grammar selectors and the model's ports in Cilium's terms, each problem reported: shared by the
// network policies (cilium-renderer.ts) and the egress gateway policies (cilium-gateway-policies.ts).

/** A rule's ports as Cilium writes them. */
export interface PortTranslation {
  /** Every protocol and port: the rule needs no toPorts/icmps. */
  readonly all: boolean;
  readonly ports: CiliumPortProtocol[];
  readonly icmps: CiliumIcmpField[];
}

export function translateSelector(selector: string, prefix: string, what: string, path: string, problems: BackendProblems): KubeLabelSelector {
  const t = tryKubeLabelSelector(selector, prefix);
  if (t.problem) problems.add(`selector "${selector}" (${what}): ${t.problem}`, path, 'use ==, !=, in, not in, has() and && only');
  return t.selector ?? {};
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
