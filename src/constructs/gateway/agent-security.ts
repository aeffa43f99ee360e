import * as kplus from 'cdk8s-plus-28';

/**
 * The security context both data-path agents run with. Root in the container only because Kubernetes grants
 * added capabilities to root alone; the capability set is NET_ADMIN (nftables, routes, VXLAN devices and
 * conntrack are all netlink) and nothing else; read-only root, no privilege escalation, RuntimeDefault seccomp.
 */
export function agentSecurityContext(): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: false,
    user: 0,
    group: 0,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [kplus.Capability.ALL], add: [kplus.Capability.NET_ADMIN] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}
