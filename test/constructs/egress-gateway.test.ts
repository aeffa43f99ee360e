import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { clusterChart, dataPathOf, estate, gateway, one } from './egress-gateway-fixture';
import { Destination, EgressExitMode, EgressZone, NatPool, Port, Selector, ZoneSources } from '../../src';
import { EgressSynthesizer } from '../../src/synth/egress-synthesizer';
import { isKubeKind, validateKubeObject } from '../support/kube-shape';

const VERSION = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;


function podSpecs(objects: any[]): any[] {
  return objects.filter(o => ['Deployment', 'DaemonSet'].includes(o.kind)).map(o => o.spec.template.spec);
}

describe('EgressGateway: what it emits', () => {
  test('every object: Kubernetes kinds pass the shape check; the set of kinds is complete', () => {
    const objects = Testing.synth(estate().chart);
    const problems = objects.filter(isKubeKind).flatMap(o => validateKubeObject(o).map(p => `${o.kind} ${o.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
    const gatewayKinds = objects.filter(o => o.metadata?.labels?.['app.kubernetes.io/part-of'] === 'cdk8s-egress' || o.metadata?.labels?.['egress.cdk8s.io/gateway'])
      .map(o => o.kind).sort();
    expect(gatewayKinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'Deployment', 'IPPool', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget',
      'PriorityClass', 'Service', 'ServiceAccount', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
  });

  test('the egress IPPool: no NAT, no node allocates from it, a block per replica plus a spare', () => {
    const objects = Testing.synth(estate({ egressCidr: '198.18.0.0/28', replicas: 3 }).chart);
    const pool = one(objects, 'IPPool', 'gw-egress');
    expect(pool.spec).toEqual({ cidr: '198.18.0.0/28', blockSize: 30, natOutgoing: false, nodeSelector: '!all()', allowedUses: ['Workload'] });
    const dep = one(objects, 'Deployment');
    expect(dep.spec.template.metadata.annotations['cni.projectcalico.org/ipv4pools']).toBe('["gw-egress"]');
    // 16 addresses, 4 blocks of 4: one per replica plus a spare for a replacement started while the old one drains.
    expect(dep.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('a range exactly as large as the replicas: no spare block, one replica at a time is replaced', () => {
    const objects = Testing.synth(estate({ egressCidr: '198.18.0.0/31', replicas: 2 }).chart);
    expect(one(objects, 'IPPool').spec.blockSize).toBe(32);
    expect(one(objects, 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('rolling update: never a surge replica, whatever the spare addresses; the PDB allows the same one at a time', () => {
    // The replicas require distinct nodes. With as many eligible nodes as replicas, a surge replica can never be
    // scheduled, and maxUnavailable 0 would keep every old one: the rollout hung (the lab's real nodes,
    // test/lab/node/gateway-rollout.lab.test.ts). So one old replica drains and goes before its replacement.
    for (const [egressCidr, replicas] of [['198.18.0.0/28', 3], ['198.18.0.0/29', 1], ['198.18.0.0/30', 4]] as const) {
      const objects = Testing.synth(estate({ egressCidr, replicas }).chart);
      const dep = one(objects, 'Deployment');
      expect(dep.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
      expect(dep.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
      expect(one(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    }
  });

  test('egressIps: one pool per aggregated prefix, every pool in the annotation, /32 blocks', () => {
    const objects = Testing.synth(estate({ egressCidr: undefined, egressIps: ['198.18.0.1', '198.18.0.0', '198.18.5.9'], replicas: 2 }).chart);
    const pools = objects.filter(o => o.kind === 'IPPool' && o.metadata.name.startsWith('gw-egress'));
    expect(pools.map(p => [p.metadata.name, p.spec.cidr, p.spec.blockSize])).toEqual([['gw-egress-0', '198.18.0.0/31', 32], ['gw-egress-1', '198.18.5.9/32', 32]]);
    expect(JSON.parse(one(objects, 'Deployment').spec.template.metadata.annotations['cni.projectcalico.org/ipv4pools'])).toEqual(['gw-egress-0', 'gw-egress-1']);
  });

  test('the Deployment: image tagged with the library version, probes on the agent endpoints, grace = drain + 5 s, spread', () => {
    const objects = Testing.synth(estate({ drainGraceSeconds: 45 }).chart);
    const dep = one(objects, 'Deployment');
    const pod = dep.spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toBe(`ghcr.io/cdk8s-egress/egress-gateway:${VERSION}`);
    expect(c.args).toEqual(['gateway', '--config', '/etc/cdk8s-egress/data-path.json', '--gateway', 'gw']);
    expect(c.env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]);
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 9440 });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 9440 });
    expect(pod.terminationGracePeriodSeconds).toBe(50);
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1 });
    expect(pod.volumes).toContainEqual({ name: 'data-path', configMap: { name: 'egress-data-path' } });
    const pdb = one(objects, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'egress.cdk8s.io/gateway': 'gw' } } });
    // The drain the agent applies is the one the pod is given time for.
    expect(dataPathOf(objects).gateways[0].drainGraceSeconds).toBe(45);
  });

  test('the Service is headless, selects the gateway pods and names the metrics and tunnel ports', () => {
    const objects = Testing.synth(estate().chart);
    const svc = one(objects, 'Service');
    const dep = one(objects, 'Deployment');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    expect(svc.spec.ports.map((p: any) => [p.name, p.port, p.protocol])).toEqual([['metrics', 9440, 'TCP'], ['vxlan', 4790, 'UDP']]);
    // The node agents look the replicas up through this Service.
    expect(dataPathOf(objects).gateways[0].service).toEqual({ namespace: 'egress', name: svc.metadata.name });
  });

  test('overrides: registry, tag, full image, pull secrets, placement on dedicated nodes, failure detection', () => {
    const chart = estate({
      registry: 'registry.example.com/mirror/',
      imageTag: '1.2.3',
      imagePullSecrets: ['regcred'],
      nodeSelector: { 'node-role.example.com/egress': 'true' },
      tolerations: [kplus.NodeTaintQuery.is('egress', 'true', { effect: kplus.TaintEffect.NO_SCHEDULE })],
      failureDetection: { probeIntervalMs: 200, probeTimeoutMs: 150, failureThreshold: 5 },
      replicas: 3,
      nodeAgent: { image: 'registry.example.com/egress-nat@sha256:abc' },
    }).chart;
    const objects = Testing.synth(chart);
    const pod = one(objects, 'Deployment').spec.template.spec;
    expect(pod.containers[0].image).toBe('registry.example.com/mirror/egress-gateway:1.2.3');
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.tolerations).toEqual([{ key: 'egress', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'node-role.example.com/egress', operator: 'In', values: ['true'] }]);
    const ds = one(objects, 'DaemonSet').spec.template.spec;
    expect(ds.containers[0].image).toBe('registry.example.com/egress-nat@sha256:abc');
    expect(ds.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(dataPathOf(objects).gateways[0].probe).toEqual({ intervalMs: 200, timeoutMs: 150, failureThreshold: 5 });
    expect(one(objects, 'Deployment').spec.replicas).toBe(3);
    // Cilium's node-based gateway reads the placement from the model.
    expect(EgressSynthesizer.of(chart).model().gateways[0].nodeSelector).toBe('node-role.example.com/egress == "true"');
  });

  test('monitoring: ServiceMonitor on the metrics port, Grafana dashboard over the agents\' metrics, scrapers admitted by policy', () => {
    const objects = Testing.synth(estate({ monitoring: { serviceMonitor: true, grafanaDashboard: true, scraperNamespaces: ['monitoring'] } }).chart);
    const sm = one(objects, 'ServiceMonitor');
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
    expect(sm.spec.selector.matchLabels).toEqual({ 'egress.cdk8s.io/gateway': 'gw' });
    expect(one(objects, 'Service').metadata.labels['egress.cdk8s.io/gateway']).toBe('gw');
    // The node agents' metrics (the dashboard's node panels): a PodMonitor on the DaemonSet's named port.
    const pm = one(objects, 'PodMonitor');
    const ds = one(objects, 'DaemonSet');
    expect(pm.metadata.namespace).toBe(ds.metadata.namespace);
    // It selects the agent's pods (their template's labels), and only those of the emitted objects.
    expect(ds.spec.template.metadata.labels).toMatchObject(pm.spec.selector.matchLabels);
    const selects = (labels: any) => Object.entries(pm.spec.selector.matchLabels).every(([k, v]) => labels?.[k] === v);
    const selected = objects.filter(o => selects(o.spec?.template?.metadata?.labels));
    expect(selected.map(o => o.kind)).toEqual(['DaemonSet']);
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'health', path: '/metrics', interval: '15s' }]);
    expect(ds.spec.template.spec.containers[0].ports.map((p: any) => p.name)).toContain('health');
    const dash = objects.find(o => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    const model = JSON.parse(Object.values(dash.data)[0] as string);
    const exprs = model.panels.map((p: any) => p.targets[0].expr).join('\n');
    for (const metric of ['egress_gateway_zone_bytes_total', 'egress_gateway_zone_drops_total', 'egress_gateway_zone_active_flows', 'egress_gateway_zone_snat_ports_in_use', 'egress_nat_gateway_replicas',
      'egress_nat_probe_rtt_seconds_bucket', 'egress_nat_probes_sent_total', 'egress_nat_probe_volleys_total']) {
      expect(exprs).toContain(metric);
    }
    const metrics = one(objects, 'NetworkPolicy', 'egress-gateway-gw').spec.ingress.find((r: any) => r.metadata.annotations['egress.cdk8s.io/rule'] === 'metrics');
    expect(metrics.source).toEqual({ namespaceSelector: 'projectcalico.org/name in {"monitoring"}' });
  });

  test('without monitoring options there is no ServiceMonitor, no dashboard and no scraper rule', () => {
    const objects = Testing.synth(estate().chart);
    expect(objects.filter(o => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor')).toEqual([]);
    expect(objects.filter(o => o.metadata?.labels?.grafana_dashboard)).toEqual([]);
    const rules = one(objects, 'NetworkPolicy', 'egress-gateway-gw').spec.ingress.map((r: any) => r.metadata.annotations['egress.cdk8s.io/rule']);
    expect(rules).toEqual(['tunnels-from-nodes', 'probes-from-nodes', 'default-deny']);
  });
});

describe('EgressGateway: security properties of the parsed output', () => {
  const objects = Testing.synth(estate().chart);

  test('no privileged long-running container, no privilege escalation, no hostPath, no host ports', () => {
    for (const pod of podSpecs(objects)) {
      for (const c of pod.containers) {
        expect(c.securityContext.privileged).toBe(false);
        expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      }
      // The only privileged ones: the init containers that set net.ipv4 sysctls and exit (no kubelet flag needed).
      for (const c of pod.initContainers ?? []) {
        expect(c.args[0]).toBe('sysctls');
        expect(c.args.slice(1).every((a: string) => /^net\.ipv4\.[a-z0-9_.]+=\d+$/.test(a))).toBe(true);
      }
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect((c.ports ?? []).filter((p: any) => p.hostPort !== undefined)).toEqual([]);
      }
      expect((pod.volumes ?? []).filter((v: any) => v.hostPath)).toEqual([]);
      expect(pod.hostPID ?? false).toBe(false);
      expect(pod.hostIPC ?? false).toBe(false);
    }
  });

  test('capabilities: all dropped, NET_ADMIN added, nothing else; RuntimeDefault seccomp; read-only root filesystem', () => {
    const containers = podSpecs(objects).flatMap(p => p.containers);
    expect(containers.map((c: any) => c.name).sort()).toEqual(['egress-gateway', 'egress-nat']);
    for (const c of containers) {
      expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_ADMIN'] });
      expect(c.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      // Root in the container, because Kubernetes hands added capabilities to root only (see docs/egress-gateway.md).
      expect(c.securityContext.runAsUser).toBe(0);
      expect(c.securityContext.runAsNonRoot).toBe(false);
    }
  });

  test('the node agent: host network, every taint tolerated, its own service account', () => {
    const ds = one(objects, 'DaemonSet');
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.serviceAccountName).toBe('egress-nat');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].args).toEqual(['node', '--config', '/etc/cdk8s-egress/data-path.json', '--kubernetes', '--health-port', '9441']);
    expect(pod.containers[0].env).toEqual([{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
  });

  test('RBAC: list and watch of pods and EndpointSlices, nothing else, bound to the node agent only', () => {
    const role = one(objects, 'ClusterRole');
    const rules = role.rules.map((r: any) => ({
      apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs, resourceNames: r.resourceNames ?? [],
    }));
    expect(rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'], resourceNames: [] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'], resourceNames: [] },
    ]);
    const binding = one(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'egress-nat', namespace: 'egress' }]);
    expect(objects.filter(o => /Role/.test(o.kind)).map(o => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });

  test('the gateway policy: tunnel and probe ports from node ranges only; egress only to the zone\'s destinations, then deny', () => {
    const policy = one(objects, 'NetworkPolicy', 'egress-gateway-gw');
    expect(policy.metadata.namespace).toBe('egress');
    expect(policy.spec.selector).toBe('egress.cdk8s.io/gateway == "gw"');
    expect(policy.spec.types).toEqual(['Ingress', 'Egress']);
    const ingress = policy.spec.ingress;
    expect(ingress.slice(0, 2).map((r: any) => [r.protocol, r.destination.ports, r.source.nets])).toEqual([
      ['UDP', [4790], ['192.0.2.0/24']],
      ['TCP', [9440], ['192.0.2.0/24']],
    ]);
    expect(ingress[ingress.length - 1]).toMatchObject({ action: 'Deny' });
    expect(policy.spec.egress.map((r: any) => [r.action, r.protocol, r.destination?.nets, r.destination?.ports])).toEqual([
      ['Allow', 'UDP', ['192.0.2.0/24'], [9440]], // the data-path probes' answers, SNATed, back to the nodes
      ['Allow', 'UDP', ['192.0.2.0/24'], [4790]], // the replies, inside VXLAN from the pod's own address, back to the nodes
      ['Allow', 'TCP', ['203.0.113.0/24'], [443]],
      ['Allow', 'TCP', ['203.0.113.0/24'], ['8000:8080']],
      ['Deny', undefined, undefined, undefined],
    ]);
    // Nothing towards the zone's pods: replies no longer leave the gateway de-SNATed (issue 22).
    expect(policy.spec.egress.filter((r: any) => r.destination?.selector || r.destination?.namespaceSelector)).toEqual([]);
  });
});

describe('EgressGateway: the data-path configuration', () => {
  test('compiled from the model and accepted by the agents\' parser', () => {
    const objects = Testing.synth(estate().chart);
    const config = dataPathOf(objects);
    expect(config.cluster).toEqual({ podCidrs: ['10.244.0.0/16', '10.96.0.0/12'], serviceCidrs: [], nodeCidrs: ['192.0.2.0/24'] });
    expect(config.gateways).toEqual([{
      name: 'gw',
      service: { namespace: 'egress', name: 'gw-egress-gateway' },
      egressIps: ['198.18.0.0', '198.18.0.1', '198.18.0.2', '198.18.0.3', '198.18.0.4', '198.18.0.5', '198.18.0.6', '198.18.0.7'],
      vxlanPort: 4790,
      healthPort: 9440,
      probe: { intervalMs: 25, timeoutMs: 25, failureThreshold: 3 },
      drainGraceSeconds: 30,
    }]);
    const [zone] = config.zones;
    expect(zone).toMatchObject({
      name: 'partners',
      gateway: 'gw',
      failOpen: false,
      members: { namespaces: ['partners'], matchLabels: { app: 'sync' } },
      allow: [{ cidr: '203.0.113.0/24', protocol: 'tcp', ports: ['443', '8000-8080'], description: 'Partner API' }],
      noGateway: [],
    });
    expect(zone.vni).toBeGreaterThan(4096);
  });

  test('zone ids are stable: adding a zone does not renumber the others', () => {
    const ids = (extra: boolean) => {
      const { chart, gw } = estate();
      if (extra) new EgressZone(chart, 'billing', { namespaces: ['billing'], gateway: gw });
      return Object.fromEntries(dataPathOf(Testing.synth(chart)).zones.map(z => [z.name, z.id]));
    };
    expect(ids(true).partners).toBe(ids(false).partners);
  });

  test('per-destination choice: bypassGateway and longest prefix become noGateway; cluster ranges are cut out', () => {
    const { chart, zone } = estate();
    zone.allow('peered', { to: [Destination.cidr('172.16.0.0/12')], bypassGateway: true });
    // More specific than the bypassed range: through the gateway (longest prefix wins). On every port the
    // bypassed range has: the data path routes by address only (a udp/5000-only rule here is a synth error,
    // test/meaning/items/03).
    zone.allow('partner-dmz', { to: [Destination.cidr('172.16.5.0/24')] });
    // Contains the pod range: the gateway never sees in-cluster traffic.
    zone.allow('corp', { to: [Destination.cidr('10.0.0.0/8')], ports: [Port.icmp({ type: 8 })] });
    const objects = Testing.synth(chart);
    const z = dataPathOf(objects).zones[0];
    expect(z.noGateway).not.toContain('172.16.0.0/12');
    expect(z.noGateway.some(c => c.startsWith('172.16.5.'))).toBe(false);
    expect(z.noGateway).toContain('172.16.0.0/22');
    expect(z.noGateway).toContain('172.16.6.0/23');
    expect(z.allow).toContainEqual({ cidr: '172.16.5.0/24', protocol: 'any', ports: [], description: 'partner-dmz' });
    const corp = z.allow.filter(a => a.description === 'corp');
    expect(corp.every(a => a.protocol === 'icmp')).toBe(true);
    expect(corp.map(a => a.cidr)).not.toContain('10.0.0.0/8');
    // 10.0.0.0/8 minus the pod (10.244.0.0/16) and service (10.96.0.0/12) ranges.
    expect(corp.map(a => a.cidr)).toEqual(expect.arrayContaining(['10.0.0.0/10', '10.128.0.0/10', '10.245.0.0/16']));
    expect(corp.some(a => a.cidr.startsWith('10.244.') || a.cidr.startsWith('10.96.'))).toBe(false);
    // The gateway's own policy keeps the exact ICMP type the data path cannot.
    const egress = one(objects, 'NetworkPolicy', 'egress-gateway-gw').spec.egress;
    expect(egress.find((r: any) => r.metadata.annotations['egress.cdk8s.io/rule'] === 'corp')).toMatchObject({ protocol: 'ICMP', icmp: { type: 8 } });
    expect(egress.find((r: any) => r.metadata.annotations['egress.cdk8s.io/rule'] === 'peered')).toBeUndefined();
  });

  test('a rule `via` the gateway steers a zone without a gateway of its own; its other destinations leave directly', () => {
    const chart = clusterChart();
    const gw = gateway(chart);
    const zone = new EgressZone(chart, 'batch', { namespaces: ['batch'] });
    zone.allow('storage', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.tcp(443)] });
    zone.allow('partner', { to: [Destination.cidr('203.0.113.10')], ports: [Port.tcp(22)], via: gw });
    const z = dataPathOf(Testing.synth(chart)).zones[0];
    expect(z.gateway).toBe('gw');
    expect(z.allow.map(a => a.cidr)).toEqual(['203.0.113.10/32']);
    expect(z.noGateway).toEqual(['198.51.100.0/24']);
  });

  test('NAT pools that ask for node-level SNAT are in the configuration', () => {
    const { chart } = estate();
    new NatPool(chart, 'legacy', { cidr: '10.245.0.0/24', snatAddress: '192.0.2.200', noNatDestinations: ['172.16.0.0/12'] });
    expect(dataPathOf(Testing.synth(chart)).natPools).toEqual([{ name: 'legacy', cidr: '10.245.0.0/24', snatAddress: '192.0.2.200', noNatCidrs: ['172.16.0.0/12'] }]);
  });

  test('two gateways share one node agent; each namespace gets the same document', () => {
    const { chart } = estate();
    const other = gateway(chart, { namespace: 'egress-b', egressCidr: '198.18.1.0/30' }, 'gw-b');
    new EgressZone(chart, 'vendors', { namespaces: ['vendors'], gateway: other });
    const objects = Testing.synth(chart);
    expect(objects.filter(o => o.kind === 'DaemonSet')).toHaveLength(1);
    expect(dataPathOf(objects, 'egress')).toEqual(dataPathOf(objects, 'egress-b'));
    expect(dataPathOf(objects).gateways.map(g => g.name)).toEqual(['gw', 'gw-b']);
  });

  test('two gateways with monitoring: one PodMonitor for the one node agent', () => {
    const { chart } = estate({ monitoring: { serviceMonitor: true } });
    gateway(chart, { namespace: 'egress-b', egressCidr: '198.18.1.0/30', monitoring: { serviceMonitor: true } }, 'gw-b');
    const objects = Testing.synth(chart);
    expect(objects.filter(o => o.kind === 'ServiceMonitor')).toHaveLength(2);
    expect(objects.filter(o => o.kind === 'PodMonitor').map(o => o.metadata.namespace)).toEqual([one(objects, 'DaemonSet').metadata.namespace]);
  });
});

describe('EgressGateway: the model', () => {
  test('contributes its egress IPs, which the firewall exports use as the zone\'s source', () => {
    const { chart } = estate({ egressCidr: '198.18.0.0/30' });
    Testing.synth(chart);
    const doc = EgressSynthesizer.of(chart).model();
    expect(doc.gateways).toEqual([{
      name: 'gw',
      path: 'test/gw',
      namespace: 'egress',
      egressCidr: '198.18.0.0/30',
      egressIps: ['198.18.0.0', '198.18.0.1', '198.18.0.2', '198.18.0.3'],
      replicas: 2,
      implementation: 'cdk8s-egress',
      nodeSelector: undefined,
    }]);
    const zone = doc.zones.find(z => z.name === 'partners')!;
    const source = ZoneSources.of(doc, zone);
    expect(source.mode).toBe(EgressExitMode.GATEWAY);
    expect(source.cidrs).toEqual(['198.18.0.0', '198.18.0.1', '198.18.0.2', '198.18.0.3']);
  });

  test('rules added after construction still reach the data path (rendered at synth)', () => {
    const { chart, zone } = estate();
    const late = new EgressZone(chart, 'late', { namespaces: ['late'], podSelector: Selector.labelEquals('tier', 'web') });
    late.egressVia(zone.node.scope!.node.findChild('gw') as any);
    late.allow('x', { to: [Destination.cidr('100.64.0.0/24')] });
    const z = dataPathOf(Testing.synth(chart)).zones.find(x => x.name === 'late')!;
    expect(z.members.matchLabels).toEqual({ tier: 'web' });
    expect(z.allow).toEqual([{ cidr: '100.64.0.0/24', protocol: 'any', ports: [], description: 'x' }]);
  });
});
