import { Testing } from 'cdk8s';
import { dataPathOf, estate, one } from './egress-gateway-fixture';
import { SysctlMethod } from '../../src';


/** Issue 22: what the gateway needs on an unmodified Calico and Kubernetes: sysctls, Pod Security, priority, admission, marks. */
describe('EgressGateway on an unmodified cluster', () => {
  const objects = Testing.synth(estate().chart);

  test('the gateway has no Kubernetes API token; its namespace sysctls come from a privileged init container, no kubelet flag', () => {
    const pod = one(objects, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBe(false);
    expect(pod.securityContext.sysctls ?? []).toEqual([]);
    expect(pod.initContainers).toHaveLength(1);
    const init = pod.initContainers[0];
    expect(init.args).toEqual(['sysctls', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
    expect(init.image).toBe(pod.containers[0].image);
    expect(init.securityContext.privileged).toBe(true);
    expect(pod.containers[0].securityContext.privileged).toBe(false); // the agent itself stays unprivileged
  });

  test('sysctls: POD_SYSCTLS sets them as (unsafe) pod sysctls, NONE leaves them to the CNI; neither has an init container', () => {
    const asPod = one(Testing.synth(estate({ sysctls: SysctlMethod.POD_SYSCTLS }).chart), 'Deployment').spec.template.spec;
    expect(asPod.securityContext.sysctls).toEqual([
      { name: 'net.ipv4.ip_forward', value: '1' },
      { name: 'net.ipv4.conf.all.rp_filter', value: '0' },
      { name: 'net.ipv4.conf.default.rp_filter', value: '0' },
    ]);
    expect(asPod.initContainers ?? []).toEqual([]);
    const none = one(Testing.synth(estate({ sysctls: SysctlMethod.NONE }).chart), 'Deployment').spec.template.spec;
    expect(none.securityContext.sysctls ?? []).toEqual([]);
    expect(none.initContainers ?? []).toEqual([]);
  });

  test('the node agent sets fib_multipath_hash_policy on the host from a privileged init container (setHostSysctls: false drops it)', () => {
    const ds = one(objects, 'DaemonSet').spec.template.spec;
    expect(ds.initContainers.map((c: any) => [c.args, c.securityContext.privileged])).toEqual([[['sysctls', 'net.ipv4.fib_multipath_hash_policy=1'], true]]);
    const off = one(Testing.synth(estate({ nodeAgent: { setHostSysctls: false } }).chart), 'DaemonSet').spec.template.spec;
    expect(off.initContainers ?? []).toEqual([]);
  });

  test('Pod Security: the agents\' Namespace is labelled privileged (opt out with createNamespace: false); priorities as critical as the CNI', () => {
    const ns = one(objects, 'Namespace');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(one(objects, 'DaemonSet').spec.template.spec.priorityClassName).toBe('system-node-critical');
    expect(one(objects, 'Deployment').spec.template.spec.priorityClassName).toBe('cdk8s-egress-gateway');
    expect(one(objects, 'PriorityClass', 'cdk8s-egress-gateway').value).toBe(1_000_000_000);
    expect(Testing.synth(estate({ createNamespace: false }).chart).filter((o: any) => o.kind === 'Namespace')).toEqual([]);
  });

  test('an admission policy keeps the egress pools to the gateway\'s namespace (pods and namespaces), enforced by its binding', () => {
    const policy = one(objects, 'ValidatingAdmissionPolicy');
    const binding = one(objects, 'ValidatingAdmissionPolicyBinding');
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
    expect(policy.spec.validations.map((v: any) => v.expression).join('\n')).toContain('["gw-egress"].exists(p');
  });

  test('the gateway pods need no source besides their own address (no Calico allowedSourcePrefixes)', () => {
    const deployment = one(objects, 'Deployment', 'gw-egress-gateway');
    expect(Object.keys(deployment.spec.template.metadata.annotations ?? {}).filter(k => /allowedSourcePrefixes/.test(k))).toEqual([]);
  });
});

describe('EgressGateway: mark bits that follow Felix', () => {
  test('by default the node agent owns bits outside Felix\'s default mask; nodeAgent.markMask follows a changed Felix mask', () => {
    expect(dataPathOf(Testing.synth(estate().chart)).node.markMask).toBe(0x00003f7f);
    // Felix's mask moved to 0xffffff00 (say): the node agent takes the low byte.
    expect(dataPathOf(Testing.synth(estate({ nodeAgent: { markMask: 0x000000ff } }).chart)).node.markMask).toBe(0xff);
  });

  test('a mask of fewer than 8 bits is an error naming the field, the path and the bits', () => {
    expect(() => estate({ nodeAgent: { markMask: 0x0f } })).toThrow(/nodeAgent\.markMask "0xf" holds 4 bits; the node agent needs at least 8 .*\(at .*\).*hint: take 8 or more bits outside Felix/);
  });
});

describe('EgressGateway: the tunnels avoid Calico\'s VXLAN port', () => {
  test('the default port is 4790; 4789 is an error naming Felix\'s drop', () => {
    expect(dataPathOf(Testing.synth(estate().chart)).gateways[0].vxlanPort).toBe(4790);
    expect(() => estate({ vxlanPort: 4789 })).toThrow(/vxlanPort "4789" is Calico's VXLAN port: Felix drops every packet to it that leaves a workload.*hint: keep the default \(4790\)/);
  });
});
