/**
 * The example estate (examples/app) in the real-cluster lab: our manifests through the real kube-apiserver with
 * Calico's CRDs and admission policies, then Calico's own Felix enforcing them on real packets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { applyStrict, everyFeatureClusterNetworkPolicies, exampleClusterNetworkPolicies, installClusterNetworkPolicyCrd } from './cluster-network-policy-apply';
import { installIstioCrds } from './istio-install';
import { CILIUM_CRDS, Lab, LabPod } from './lab';
import { describeLab, synthExample, toYaml } from './suite';
import { Cidr } from '../../src';

jest.setTimeout(600_000);

const CALICO_KINDS = new Set(['IPPool', 'GlobalNetworkPolicy', 'GlobalNetworkSet', 'NetworkPolicy', 'NetworkSet']);

/**
 * Where a stored object differs from what we wrote, as paths. The API server omits Go zero values (empty lists and
 * maps, 0, false, '') and adds defaults; neither is a difference.
 */
function differences(stored: any, written: any, at = ''): string[] {
  const isZero = (v: any): boolean => v === 0 || v === false || v === '' || (Array.isArray(v) && v.length === 0)
    || (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
  if (written === undefined) return [];
  if (stored === undefined) return isZero(written) ? [] : [at];
  if (Array.isArray(written)) {
    if (!Array.isArray(stored) || stored.length !== written.length) return [at];
    return written.flatMap((w, k) => differences(stored[k], w, `${at}[${k}]`));
  }
  if (written !== null && typeof written === 'object') {
    return Object.entries(written).flatMap(([k, w]) => differences(stored?.[k], w, `${at}.${k}`));
  }
  return stored === written ? [] : [`${at}: ${JSON.stringify(stored)} != ${JSON.stringify(written)}`];
}

/** The namespaces an output's namespaced objects live in, created first as an install would. */
function namespacesOf(docs: any[]): string[] {
  return [...new Set(docs.map((d) => d.metadata?.namespace).filter(Boolean))] as string[];
}

describeLab('lab: the example estate on a real API server and Felix', () => {
  let lab: Lab;
  const calico = { docs: [] as any[], yaml: '' };

  beforeAll(async () => {
    lab = await Lab.start({ nodes: 2 });
    installIstioCrds(lab); // the checkout zone's mesh layer
  });
  afterAll(() => lab?.stop());

  describe('server-side apply through kube-apiserver (Calico CRDs with OpenAPI + CEL, admission policies)', () => {
    test('the Calico backend output is accepted', () => {
      const out = synthExample('calico');
      calico.docs = out.docs;
      calico.yaml = out.yaml;
      for (const ns of namespacesOf(out.docs)) lab.ensureNamespace(ns);
      const applied = lab.apply(out.yaml).split('\n').filter(Boolean);
      expect(applied).toHaveLength(out.docs.length);
      // Read back through the API: every object exists as written (the server kept every field we set).
      for (const d of out.docs) {
        const ns = d.metadata.namespace ? ['-n', d.metadata.namespace] : [];
        const group = d.apiVersion.includes('/') ? `.${d.apiVersion.split('/')[0]}` : '';
        const back = JSON.parse(lab.kubectl(['get', `${d.kind.toLowerCase()}${group}`, d.metadata.name, ...ns, '-o', 'json']));
        const written = { spec: d.spec, data: d.data, rules: d.rules, metadata: { labels: d.metadata.labels, annotations: d.metadata.annotations } };
        expect(differences(back, written)).toEqual([]);
      }
    });

    test('the plain-Kubernetes backend output is accepted', () => {
      const out = synthExample('kubernetes');
      for (const ns of namespacesOf(out.docs)) lab.ensureNamespace(ns);
      const applied = lab.apply(out.yaml).split('\n').filter(Boolean);
      expect(applied).toHaveLength(out.docs.length);
      lab.kubectl(['delete', '-f', '-', '--wait=false'], out.yaml);
    });

    test('the Cilium backend output is accepted with the Cilium CRDs installed', () => {
      for (const f of fs.readdirSync(CILIUM_CRDS).filter((x) => x.endsWith('.yaml'))) {
        lab.kubectl(['apply', '--server-side', '-f', path.join(CILIUM_CRDS, f)]);
      }
      lab.kubectl(['wait', '--for=condition=Established', 'crd/ciliumclusterwidenetworkpolicies.cilium.io', '--timeout=60s']);
      const out = synthExample('cilium');
      for (const ns of namespacesOf(out.docs)) lab.ensureNamespace(ns);
      const applied = lab.apply(out.yaml).split('\n').filter(Boolean);
      expect(applied).toHaveLength(out.docs.length);
      lab.kubectl(['delete', '-f', '-', '--wait=false'], out.yaml);
    });

    test('the ClusterNetworkPolicy backend output is accepted with network-policy-api\'s CRDs and CEL rules (strict fields)', () => {
      installClusterNetworkPolicyCrd(lab, 'standard');
      const docs = exampleClusterNetworkPolicies();
      // An Admin and a Baseline policy for each of the four zones that pass in-cluster traffic; an Admin one for the mesh
      // zone checkout and one for its egress waypoint (both allow in-cluster traffic).
      expect(docs).toHaveLength(10);
      const back = applyStrict(lab, docs);
      back.forEach((b, i) => expect(differences(b, { spec: docs[i].spec, metadata: { labels: docs[i].metadata.labels } })).toEqual([]));
      // The CRD's CEL rules are in force: a range whose start is not below its end, a CIDR with host bits.
      const bad = (egress: any) => ({ ...docs[0], metadata: { name: 'lab-bad' }, spec: { ...docs[0].spec, egress: [egress] } });
      const range = { name: 'empty-range', action: 'Accept', to: [{ networks: ['203.0.113.0/24'] }], protocols: [{ tcp: { destinationPort: { range: { start: 443, end: 443 } } } }] };
      expect(() => applyStrict(lab, [bad(range)])).toThrow(/Start port must be less than End port/);
      expect(() => applyStrict(lab, [bad({ name: 'host-bits', action: 'Accept', to: [{ networks: ['203.0.113.1/24'] }] })])).toThrow(/Invalid CIDR format provided/);
      // domainNames are experimental: the standard CRD does not have them, and server-side apply refuses the field
      // (its structured-merge typing, before strict field validation is asked).
      const withNames = everyFeatureClusterNetworkPolicies();
      expect(() => applyStrict(lab, withNames)).toThrow(/\.spec\.egress\[\d+\]\.to\[\d+\]\.domainNames: field not declared in schema/);
      // With the experimental channel's CRD the same objects are accepted.
      installClusterNetworkPolicyCrd(lab, 'experimental');
      const backNames = applyStrict(lab, withNames);
      backNames.forEach((b, i) => expect(differences(b, { spec: withNames[i].spec })).toEqual([]));
      expect(JSON.stringify(backNames)).toContain('"domainNames":["*.storage.example.net","api.example.com"]');
      lab.kubectl(['delete', 'clusternetworkpolicies.policy.networking.k8s.io', '--all', '--wait=false']);
    });

    test('the admission policies of the Calico bundle are in force (a Calico object they reject is rejected)', () => {
      const vaps = JSON.parse(lab.kubectl(['get', 'validatingadmissionpolicies', '-o', 'json'])).items;
      expect(vaps.length).toBeGreaterThan(0);
      // An IPPool with an invalid CIDR must not get through the CRD schema / CEL / policies.
      expect(() => lab.apply(toYaml([{ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'lab-bad' }, spec: { cidr: 'not-a-cidr' } }]))).toThrow();
    });
  });

  describe('Felix enforcing the Calico output', () => {
    const pods: Record<string, LabPod> = {};
    const EXT = {
      card: '203.0.113.10',
      card2: '203.0.113.70',
      cardOutside: '203.0.113.200',
      storage: '198.51.100.10',
      storage2: '198.51.100.200',
      sftp: '172.16.10.5',
      partner: '203.0.113.140',
    };

    beforeAll(async () => {
      // Felix (of the Calico release built here) reads crd.projectcalico.org/v1: the same Calico objects go in
      // through calicoctl, as a Calico install without its API server is configured.
      const calicoObjects = calico.docs.filter((d) => d.apiVersion === 'projectcalico.org/v3' && CALICO_KINDS.has(d.kind));
      lab.calicoctl(['apply', '-f', '-'], toYaml(calicoObjects));
      // The lab's own pool serves the namespaces no estate pool serves (kube-system, sandbox, ...).
      lab.setDefaultPoolNamespaces('kubernetes.io/metadata.name not in {"payments", "batch", "reporting"}');
      for (const ip of Object.values(EXT)) lab.addExternalHost(ip);
      await lab.startExternalServer([22, 80, 443, 8443]);
      pods.payments = await lab.createPod({ namespace: 'payments', name: 'payments-api', node: 0, labels: { app: 'payments-api' } });
      pods.paymentsOther = await lab.createPod({ namespace: 'payments', name: 'payments-worker', node: 1, labels: { app: 'worker' } });
      pods.batch = await lab.createPod({ namespace: 'batch', name: 'batch-job', node: 0, labels: { app: 'job' } });
      pods.reporting = await lab.createPod({ namespace: 'reporting', name: 'report', node: 1, labels: { app: 'report' } });
      pods.sandbox = await lab.createPod({ namespace: 'sandbox', name: 'untrusted', node: 1, labels: { app: 'untrusted' } });
      // The checkout zone (a mesh zone) and a pod standing in for its egress waypoint (the labels Istio gives waypoint pods).
      pods.checkout = await lab.createPod({ namespace: 'checkout', name: 'checkout-api', node: 0, labels: { app: 'checkout' } });
      pods.waypoint = await lab.createPod({ namespace: 'istio-egress', name: 'egress-waypoint', node: 1, labels: { 'gateway.networking.k8s.io/gateway-name': 'egress-waypoint' } });
      for (const p of Object.values(pods)) await lab.waitForEndpoint(p);
      await lab.waitForFelix(1);
    });

    test('per-namespace pools: calico-ipam gives each zone namespace an address from its own pool', () => {
      const inCidr = (ip: string, base: string, bits: number): boolean => Cidr.parse(`${base}/${bits}`).containsAddress(ip);
      expect(inCidr(pods.payments.ip, '10.250.0.0', 24)).toBe(true);
      expect(inCidr(pods.paymentsOther.ip, '10.250.0.0', 24)).toBe(true);
      expect(inCidr(pods.batch.ip, '10.244.0.0', 16)).toBe(true);
      expect(inCidr(pods.reporting.ip, '10.244.0.0', 16)).toBe(true);
      expect(inCidr(pods.sandbox.ip, '10.252.0.0', 24)).toBe(true);
      // The payments pool's block size (28) is what IPAM claimed per node.
      const blocks = JSON.parse(lab.kubectl(['get', 'ipamblocks.crd.projectcalico.org', '-o', 'json'])).items.map((b: any) => b.spec.cidr);
      expect(blocks.filter((c: string) => c.startsWith('10.250.0.'))).toEqual(expect.arrayContaining([expect.stringMatching(/\/28$/)]));
    });

    test('DNS to the cluster DNS works from every zone', () => {
      for (const p of [pods.payments, pods.batch, pods.sandbox]) {
        expect(lab.resolve(p, 'card.example.test')).toEqual([EXT.card]);
      }
    });

    test('payments (no NAT pool): the card processor on 443 is reached and sees the pod address', () => {
      const fromPod = lab.externalCounter({ saddr: pods.payments.ip, daddr: EXT.card, proto: 'tcp', dport: 443 });
      expect(lab.tcpConnects(pods.payments, EXT.card, 443)).toBe(true);
      expect(lab.tcpConnects(pods.payments, EXT.card2, 443)).toBe(true);
      expect(fromPod.packets()).toBeGreaterThan(0);
    });

    test('payments: every other destination and port gets nothing through (0 packets at the external side)', () => {
      const leaks = [
        lab.externalCounter({ daddr: EXT.card, proto: 'tcp', dport: 80 }),
        lab.externalCounter({ daddr: EXT.cardOutside }),
        lab.externalCounter({ daddr: EXT.storage }),
        lab.externalCounter({ daddr: EXT.sftp }),
        lab.externalCounter({ daddr: EXT.card, proto: 'udp' }),
      ];
      expect(lab.tcpConnects(pods.payments, EXT.card, 80, 1)).toBe(false);
      expect(lab.tcpConnects(pods.payments, EXT.cardOutside, 443, 1)).toBe(false);
      expect(lab.tcpConnects(pods.payments, EXT.storage, 443, 1)).toBe(false);
      expect(lab.tcpConnects(pods.payments, EXT.sftp, 22, 1)).toBe(false);
      lab.udpSend(pods.payments, EXT.card, 443);
      expect(leaks.map((c) => c.packets())).toEqual([0, 0, 0, 0, 0]);
    });

    test('payments: pods the zone does not select are not restricted by it', () => {
      expect(lab.tcpConnects(pods.paymentsOther, EXT.storage, 443)).toBe(true);
    });

    test('batch (natOutgoing pool): object storage on 443 is reached and sees the node address, not the pod address', () => {
      const fromNode = lab.externalCounter({ saddr: pods.batch.node.ip, daddr: EXT.storage, proto: 'tcp', dport: 443 });
      const fromPod = lab.externalCounter({ saddr: pods.batch.ip, daddr: EXT.storage });
      expect(lab.tcpConnects(pods.batch, EXT.storage, 443)).toBe(true);
      expect(lab.tcpConnects(pods.batch, EXT.storage2, 443)).toBe(true);
      expect(fromNode.packets()).toBeGreaterThan(0);
      expect(fromPod.packets()).toBe(0);
    });

    test('batch: towards noNatDestinations (the disabled-pool technique) the corporate host sees the pod address', () => {
      const fromPod = lab.externalCounter({ saddr: pods.batch.ip, daddr: EXT.sftp, proto: 'tcp', dport: 22 });
      const fromNode = lab.externalCounter({ saddr: pods.batch.node.ip, daddr: EXT.sftp });
      expect(lab.tcpConnects(pods.batch, EXT.sftp, 22)).toBe(true);
      expect(fromPod.packets()).toBeGreaterThan(0);
      expect(fromNode.packets()).toBe(0);
    });

    test('batch: every other destination and port gets nothing through', () => {
      const leaks = [
        lab.externalCounter({ daddr: EXT.storage, proto: 'tcp', dport: 80 }),
        lab.externalCounter({ daddr: EXT.card }),
        lab.externalCounter({ daddr: EXT.sftp, proto: 'tcp', dport: 443 }),
      ];
      expect(lab.tcpConnects(pods.batch, EXT.storage, 80, 1)).toBe(false);
      expect(lab.tcpConnects(pods.batch, EXT.card, 443, 1)).toBe(false);
      expect(lab.tcpConnects(pods.batch, EXT.sftp, 443, 1)).toBe(false);
      expect(leaks.map((c) => c.packets())).toEqual([0, 0, 0]);
    });

    test('locked (DNS only): nothing external gets through', () => {
      const leaks = Object.values(EXT).map((ip) => lab.externalCounter({ daddr: ip }));
      for (const ip of Object.values(EXT)) expect(lab.tcpConnects(pods.sandbox, ip, 443, 1)).toBe(false);
      expect(leaks.map((c) => c.packets())).toEqual(Object.values(EXT).map(() => 0));
    });

    test('checkout (mesh zone): its pods reach the waypoint but no external address; the waypoint reaches the HTTP rule\'s address and port only', async () => {
      // Felix enforces the layer-4 half of the HTTP rule at the egress point; no istiod, ztunnel or Envoy runs here.
      await lab.startTcpServer(pods.waypoint, 15008);
      expect(lab.tcpConnects(pods.checkout, pods.waypoint.ip, 15008)).toBe(true);
      const direct = lab.externalCounter({ saddr: pods.checkout.node.ip, daddr: EXT.cardOutside });
      const fromPod = lab.externalCounter({ saddr: pods.checkout.ip });
      expect(lab.tcpConnects(pods.checkout, EXT.cardOutside, 80, 1)).toBe(false);
      expect(lab.tcpConnects(pods.checkout, EXT.card, 443, 1)).toBe(false);
      expect([direct.packets(), fromPod.packets()]).toEqual([0, 0]);
      const viaWaypoint = lab.externalCounter({ saddr: pods.waypoint.node.ip, daddr: EXT.cardOutside, proto: 'tcp', dport: 80 });
      expect(lab.tcpConnects(pods.waypoint, EXT.cardOutside, 80)).toBe(true);
      expect(viaWaypoint.packets()).toBeGreaterThan(0);
      const leaks = [lab.externalCounter({ daddr: EXT.cardOutside, proto: 'tcp', dport: 443 }), lab.externalCounter({ daddr: EXT.storage })];
      expect(lab.tcpConnects(pods.waypoint, EXT.cardOutside, 443, 1)).toBe(false);
      expect(lab.tcpConnects(pods.waypoint, EXT.storage, 443, 1)).toBe(false);
      expect(leaks.map((c) => c.packets())).toEqual([0, 0]);
    });

    test('in-cluster traffic falls through the zone to the later policies and ends in the end-of-tier deny', async () => {
      // README: the zone does not deny in-cluster traffic itself; with no later policy allowing it, Calico's
      // end-of-tier deny drops it.
      await lab.startTcpServer(pods.reporting, 8443);
      expect(lab.tcpConnects(pods.sandbox, pods.reporting.ip, 8443, 1)).toBe(false);
      // A later policy (a Kubernetes NetworkPolicy: order 1000 in the same tier) that allows it is reached.
      lab.apply(toYaml([{
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'to-reports', namespace: 'sandbox' },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'reporting' } } }], ports: [{ protocol: 'TCP', port: 8443 }] }] },
      }]));
      await lab.waitForFelix();
      let reached = false;
      for (let i = 0; i < 20 && !reached; i++) {
        reached = lab.tcpConnects(pods.sandbox, pods.reporting.ip, 8443, 1);
        if (!reached) await new Promise((r) => setTimeout(r, 500));
      }
      expect(reached).toBe(true);
      // The zone's external deny still applies to the same pods.
      const leak = lab.externalCounter({ daddr: EXT.storage });
      expect(lab.tcpConnects(pods.sandbox, EXT.storage, 443, 1)).toBe(false);
      expect(leak.packets()).toBe(0);
    });
  });
});
