/**
 * The best hand-built path with the gateway's hops (issue 22, section 4), a baseline inside the bench and never
 * shipped: a client pod on node1 → its node → VXLAN (UDP 4790) → a bare gateway pod on node2 and one on node3 → SNAT
 * to that pod's address → out, and the replies back the same way, built with plain `ip` and `nft`. The same Felix and
 * underlay as the agents' path: the gateway pods are Pods of the gateway's namespace (its IPPool) with the label the
 * gateway's Calico policy selects (the same ingress/egress rules) but not the Service's selector (no EndpointSlice: the
 * node agents neither probe nor use them), with the Deployment's sysctls and init containers. Per packet it does what
 * the agents' kernel state does, minus everything a baseline may leave out: no allow-list, no zone marks, no pins, no
 * failover; the flows spread over the two gateways by a multipath route (L4 hash, as the resilient group).
 */
import { GatewayLab, NS, runInitContainers } from './gateway-lab';
import { PARTNER } from './gateway-traffic';
import { LabPod, nsRun } from '../lab';

const TABLE = 202;
const RULE_PRIORITY = 900; // before the node agent's rules (1000): this client is in no zone anyway
const inner = (gw: number, side: 'node' | 'gw') => `169.254.202.${gw * 4 + (side === 'node' ? 1 : 2)}`;
const mac = (gw: number, side: 'node' | 'gw') => `02:68:62:00:0${gw}:0${side === 'node' ? 1 : 2}`;

export class HandBuiltPath {
  /** Builds the path for a new client pod on node1 (namespace `plain`, outside every zone) through gateway pods on `gatewayNodes`. */
  public static async build(g: GatewayLab, gatewayNodes = [1, 2]): Promise<HandBuiltPath> {
    const client = await g.lab.createPod({ namespace: 'plain', name: 'hand-built-client', node: 0, labels: { app: 'hand-built' } });
    const tpl = g.kind('Deployment').spec.template;
    const service = g.docs.find((d) => d.kind === 'Service' && d.metadata.namespace === NS).spec.selector as Record<string, string>;
    const labels = Object.fromEntries(Object.entries(tpl.metadata.labels as Record<string, string>).filter(([k]) => !(k in service)));
    const vnis = JSON.parse(g.goodConfig).zones.map((z: any) => z.vni as number).filter(Boolean);
    const vniBase = Math.max(4096, ...vnis) + 100;
    const gateways: LabPod[] = [];
    for (const [i, node] of gatewayNodes.entries()) {
      const gw = await g.lab.createPod({ namespace: NS, name: `hand-built-gateway-${i + 1}`, node, labels, annotations: tpl.metadata.annotations });
      for (const s of tpl.spec.securityContext.sysctls ?? []) nsRun(gw.netns, ['sysctl', '-qw', `${s.name}=${s.value}`]);
      runInitContainers(gw.netns, tpl.spec);
      gateways.push(gw);
    }
    // Kernel quirk (the node agent pins flows for it: node-ruleset.ts): the multipath choice reuses the L4 hash a TCP
    // socket put on its packets, and the socket re-rolls it on a retransmission timeout, so a flow would change
    // gateway (and public source) mid-stream and be reset. Without pins, the baseline keeps its client's hash instead.
    nsRun(client.netns, ['sysctl', '-qw', 'net.core.txrehash=0']);
    const path = new HandBuiltPath(client, gateways);
    const node = client.node.netns;
    const mtu = (ns: string) => Number(JSON.parse(nsRun(ns, ['ip', '-j', 'link', 'show', 'eth0']))[0].mtu) - 50;
    const hops: string[] = [];
    for (const [i, gw] of gateways.entries()) {
      const n = i + 1;
      const vni = String(vniBase + n);
      // Node side: one point-to-point tunnel per gateway, as the node agent has one per zone with an FDB entry per replica.
      nsRun(node, ['ip', 'link', 'add', `hb${n}`, 'address', mac(n, 'node'), 'type', 'vxlan', 'id', vni, 'dstport', '4790', 'remote', gw.ip, 'nolearning']);
      nsRun(node, ['ip', 'addr', 'add', `${inner(n, 'node')}/32`, 'dev', `hb${n}`, 'scope', 'link']);
      nsRun(node, ['ip', 'link', 'set', `hb${n}`, 'mtu', String(mtu(node)), 'up']);
      nsRun(node, ['ip', 'neigh', 'replace', inner(n, 'gw'), 'lladdr', mac(n, 'gw'), 'dev', `hb${n}`, 'nud', 'permanent']);
      hops.push('nexthop', 'via', inner(n, 'gw'), 'dev', `hb${n}`, 'onlink');
      // Gateway side: the tunnel back to the node, the client's route through it, SNAT to the pod's own address.
      nsRun(gw.netns, ['ip', 'link', 'add', 'hb0', 'address', mac(n, 'gw'), 'type', 'vxlan', 'id', vni, 'dstport', '4790', 'remote', client.node.ip, 'nolearning']);
      nsRun(gw.netns, ['ip', 'addr', 'add', `${inner(n, 'gw')}/32`, 'dev', 'hb0', 'scope', 'link']);
      nsRun(gw.netns, ['ip', 'link', 'set', 'hb0', 'mtu', String(mtu(gw.netns)), 'up']);
      nsRun(gw.netns, ['ip', 'neigh', 'replace', inner(n, 'node'), 'lladdr', mac(n, 'node'), 'dev', 'hb0', 'nud', 'permanent']);
      nsRun(gw.netns, ['ip', 'route', 'add', `${client.ip}/32`, 'via', inner(n, 'node'), 'dev', 'hb0', 'onlink']);
      nsRun(gw.netns, ['nft', '-f', '-'], {
        input: `table ip hand_built {\n  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n    oifname "eth0" ip saddr ${client.ip} snat ip to ${gw.ip}\n  }\n}\n`,
      });
    }
    nsRun(node, ['ip', 'route', 'add', 'default', 'table', String(TABLE), ...hops]);
    nsRun(node, ['ip', 'rule', 'add', 'from', client.ip, 'to', `${PARTNER}/32`, 'lookup', String(TABLE), 'priority', String(RULE_PRIORITY)]);
    // What the node agent's table does for its tunnels, and a baseline needs as much: keep the pod's address into the
    // tunnel (else Felix's natOutgoing masquerades it to the tunnel's) and clamp the MSS to the tunnel's MTU.
    nsRun(node, ['nft', '-f', '-'], {
      input: 'table ip hand_built {\n'
        + '  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n'
        + '    oifname "hb*" tcp flags syn tcp option maxseg size set rt mtu\n  }\n'
        + '  chain postrouting {\n    type nat hook postrouting priority srcnat - 5; policy accept;\n'
        + '    oifname "hb*" snat ip to ip saddr\n  }\n}\n',
    });
    return path;
  }

  private constructor(public readonly client: LabPod, public readonly gateways: LabPod[]) {}

  /** The netns the path crosses (for the per-hop counters). */
  public get namespaces(): string[] {
    return [this.client.netns, this.client.node.netns, ...this.gateways.flatMap((g) => [g.node.netns, g.netns])];
  }
}
