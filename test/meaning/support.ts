/**
 * Shared helpers of the meaning tests: build a chart through the public API, synthesize it, and read the
 * outputs a user gets (objects, the model, firewall files, the data-path document, printed warnings).
 */
import { App, Chart, Testing } from 'cdk8s';
import { evaluateCalico } from './evaluators/calico';
import { evaluateCilium } from './evaluators/cilium';
import { evaluateClusterNetworkPolicy } from './evaluators/cluster-network-policy';
import { evaluateKubernetes } from './evaluators/kubernetes';
import { Packet, Verdict, Workload } from './evaluators/packet';
import { Backend, ClusterNetwork, ClusterNetworkProps, EgressModel, FirewallExport, FirewallFormat } from '../../src';
import { parseDataPathConfig } from '../../src/datapath';
import { captureWarnings as captureSynthWarnings } from '../support/warnings';

export const BACKENDS = ['calico', 'cilium', 'kubernetes', 'cluster-network-policy'] as const;
export type BackendName = typeof BACKENDS[number];

export function backendOf(name: string): Backend {
  return Backend.of(name);
}

/** A chart with a backend and the usual cluster ranges. */
export function chartFor(backend: string = 'calico', cluster: ClusterNetworkProps | false = {}): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'egress', { disableResourceNameHashes: true });
  Backend.setDefault(chart, Backend.of(backend));
  if (cluster !== false) {
    new ClusterNetwork(chart, 'cluster', {
      ...cluster,
      podCidrs: cluster.podCidrs ?? ['10.244.0.0/16'],
      serviceCidrs: cluster.serviceCidrs ?? ['10.96.0.0/12'],
      nodeCidrs: cluster.nodeCidrs ?? ['192.0.2.0/26'],
    });
  }
  return { app, chart };
}

/** Every object of the app, as the manifests would hold them. */
export function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** Runs `fn` and returns the warnings it printed ("[cdk8s-egress] …" lines), with its result or error. */
export function captureWarnings<T>(fn: () => T): { warnings: string[]; result?: T; error?: Error } {
  let error: Error | undefined;
  const { result, warnings } = captureSynthWarnings(() => {
    try {
      return fn();
    } catch (e) {
      error = e as Error;
      return undefined;
    }
  });
  return { warnings: warnings.map(w => `[cdk8s-egress] ${w}`), result, error };
}

export function evaluate(backend: string, objects: any[], src: Workload, pkt: Packet): Verdict {
  switch (backend) {
    case 'calico':
    case 'calico-enterprise':
      return evaluateCalico(objects, src, pkt);
    case 'cilium': return evaluateCilium(objects, src, pkt);
    case 'kubernetes': return evaluateKubernetes(objects, src, pkt);
    case 'cluster-network-policy': return evaluateClusterNetworkPolicy(objects, src, pkt);
    default: throw new Error(`no evaluator for ${backend}`);
  }
}

export function modelOf(chart: Chart) {
  return EgressModel.of(chart);
}

export function firewallFiles(chart: Chart, formats: FirewallFormat[] = [FirewallFormat.NFTABLES]) {
  return FirewallExport.renderAll(EgressModel.of(chart), formats);
}

export function dataPathOf(objects: any[]) {
  const cm = objects.find(o => o.kind === 'ConfigMap' && o.metadata?.name === 'egress-data-path');
  return cm ? parseDataPathConfig(cm.data['data-path.json']) : undefined;
}

export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;
