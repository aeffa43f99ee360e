/**
 * The lab's dual-stack mode (LabOptions.ipv6; issue 24): everything the IPv4 lab has, plus IPv6 where a dual-stack
 * Calico cluster has it. Felix with IPv6 support, an IPv6 default pool beside the IPv4 one, calico-ipam assigning one
 * address of each family (the CNI config's `assign_ipv6`, as Calico's installer writes it for IPv6 pools), IPv6 on the
 * nodes' links to the router (their IPv6 addresses in 2001:db8:ffff::/64, default via the router) and on the external
 * network, and the fabric's routes to each pod's IPv6 address through its node. Lab.externalCounter counts IPv6 packets
 * when given IPv6 addresses. Without the option nothing here runs.
 */
import { spawnSync } from 'child_process';
import { Lab, LabIpv6, LabNode, nsRun, run } from './lab';

/** The IPv6 default pool (every namespace without a pool annotation; NAT outgoing to the node's IPv6 address). */
export const LAB_DEFAULT_POOL_V6 = 'fd00:10:252::/112';
/** The nodes' IPv6 network (the IPv4 one is 192.0.2.0/26). */
export const LAB_NODE_CIDR_V6 = '2001:db8:ffff::/64';
const RT_V6 = '2001:db8:ffff::1';
const EXT_LINK_RT_V6 = '2001:db8:fffe::1';
const EXT_LINK_EXT_V6 = '2001:db8:fffe::2';

/** A node's IPv6 address: 2001:db8:ffff::<its IPv4 address's last byte in hex digits of the same text> (node1: ::11). */
export function nodeIp6(node: LabNode): string {
  return `2001:db8:ffff::${node.ip.split('.')[3]}`;
}

const sysctl = (netns: string, kv: string) => nsRun(netns, ['sysctl', '-qw', kv]);

/** The dual-stack mode, for Lab.start({ ipv6: dualStack() }). */
export function dualStack(): LabIpv6 {
  return {
    felixEnv: { FELIX_IPV6SUPPORT: 'true' },
    ipam: { assign_ipv4: 'true', assign_ipv6: 'true' },
    network(lab: Lab) {
      const rt = lab.routerNetns;
      const ext = lab.externalNetns;
      sysctl(rt, 'net.ipv6.conf.all.forwarding=1');
      run('ip', ['-n', rt, 'addr', 'add', `${RT_V6}/64`, 'dev', 'br0', 'nodad']);
      for (const n of lab.nodes) {
        sysctl(n.netns, 'net.ipv6.conf.all.forwarding=1');
        run('ip', ['-n', n.netns, 'addr', 'add', `${nodeIp6(n)}/64`, 'dev', 'eth0', 'nodad']);
        run('ip', ['-n', n.netns, '-6', 'route', 'add', 'default', 'via', RT_V6]);
      }
      run('ip', ['-n', rt, 'addr', 'add', `${EXT_LINK_RT_V6}/64`, 'dev', 'ext0', 'nodad']);
      run('ip', ['-n', ext, 'addr', 'add', `${EXT_LINK_EXT_V6}/64`, 'dev', 'eth0', 'nodad']);
      run('ip', ['-n', ext, '-6', 'route', 'add', 'default', 'via', EXT_LINK_RT_V6]);
    },
    calico(lab: Lab) {
      lab.calicoctl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'projectcalico.org/v3',
        kind: 'IPPool',
        metadata: { name: 'lab-default-v6' },
        spec: { cidr: LAB_DEFAULT_POOL_V6, blockSize: 122, natOutgoing: true, ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()', allowedUses: ['Workload'] },
      }));
    },
    podRoute(lab, op, ip6, node) {
      const args = ['-n', lab.routerNetns, '-6', 'route', op, `${ip6}/128`, ...(op === 'replace' ? ['via', nodeIp6(node)] : [])];
      if (op === 'replace') run('ip', args);
      else spawnSync('ip', args, { stdio: 'ignore' }); // already gone with its namespace is fine
    },
  };
}

/** Makes an IPv6 address answer on the external network (on the external side's lo, routed by the router). */
export function addExternalHost6(lab: Lab, ip6: string): void {
  run('ip', ['-n', lab.externalNetns, 'addr', 'add', `${ip6}/128`, 'dev', 'lo', 'nodad']);
  run('ip', ['-n', lab.routerNetns, '-6', 'route', 'replace', `${ip6}/128`, 'via', EXT_LINK_EXT_V6]);
}
