// The agents' own runtime dependencies: installed in the images, never in the construct library.
/* eslint-disable import/no-extraneous-dependencies */
import * as k8s from '@kubernetes/client-node';
import { ClusterSource } from './cluster-source';
import { log } from './log';
import { GatewayEndpoint, ObservedCluster, ZonePod } from './observed-state';
import { DataPathConfig, ZoneConfig } from '../../datapath';

/**
 * The thin adapter over @kubernetes/client-node: pods scheduled on this node (field selector
 * spec.nodeName) matched to zones by namespace + matchLabels, and each gateway Service's
 * EndpointSlices (ready/terminating conditions). Informers deliver the initial list before any
 * update, so the first `onUpdate` is a complete view.
 */
export class KubernetesSource implements ClusterSource {
  private informers: Array<k8s.Informer<any>> = [];
  private config?: DataPathConfig;

  constructor(private readonly nodeName: string, private readonly kc = defaultKubeConfig()) {}

  public async start(config: DataPathConfig, onUpdate: (observed: ObservedCluster) => void): Promise<void> {
    this.config = config;
    if (this.informers.length > 0) return;
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    const discovery = this.kc.makeApiClient(k8s.DiscoveryV1Api);
    const pods = k8s.makeInformer(this.kc, '/api/v1/pods',
      () => core.listPodForAllNamespaces(undefined, undefined, `spec.nodeName=${this.nodeName}`),
      undefined, `spec.nodeName=${this.nodeName}`);
    const slices = k8s.makeInformer(this.kc, '/apis/discovery.k8s.io/v1/endpointslices',
      () => discovery.listEndpointSliceForAllNamespaces(undefined, undefined, undefined, 'kubernetes.io/service-name'),
      'kubernetes.io/service-name');
    let synced = 0;
    const emit = () => {
      if (synced < 2) return;
      onUpdate({ pods: this.zonePods([...pods.list()]), gateways: this.endpoints([...slices.list()]) });
    };
    for (const inf of [pods, slices] as Array<k8s.Informer<k8s.KubernetesObject>>) {
      inf.on('add', emit);
      inf.on('update', emit);
      inf.on('delete', emit);
      inf.on('error', (e: unknown) => {
        log('warn', 'watch failed; restarting in 1 s', { error: String(e) });
        setTimeout(() => void inf.start(), 1000);
      });
    }
    await pods.start();
    synced++;
    await slices.start();
    synced++;
    this.informers = [pods, slices];
    emit();
  }

  public stop(): void {
    for (const i of this.informers) void i.stop();
  }

  private zonePods(list: k8s.V1Pod[]): ZonePod[] {
    const out: ZonePod[] = [];
    for (const p of list) {
      const ip = p.status?.podIP;
      if (!ip || p.spec?.hostNetwork || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      const zone = this.config!.zones.find((z) => matches(z, p));
      if (zone) out.push({ ip, zone: zone.name, name: `${p.metadata?.namespace}/${p.metadata?.name}` });
    }
    return out;
  }

  private endpoints(list: k8s.V1EndpointSlice[]): GatewayEndpoint[] {
    const out: GatewayEndpoint[] = [];
    for (const g of this.config!.gateways) {
      for (const s of list) {
        if (s.metadata?.namespace !== g.service.namespace || s.metadata?.labels?.['kubernetes.io/service-name'] !== g.service.name) continue;
        if (s.addressType !== 'IPv4') continue;
        for (const e of s.endpoints ?? []) {
          for (const ip of e.addresses) {
            out.push({
              gateway: g.name,
              name: e.targetRef?.name ?? ip,
              ip,
              ready: e.conditions?.ready !== false,
              terminating: e.conditions?.terminating === true,
            });
          }
        }
      }
    }
    return out;
  }
}

function matches(z: ZoneConfig, p: k8s.V1Pod): boolean {
  if (z.members.namespaces.length > 0 && !z.members.namespaces.includes(p.metadata?.namespace ?? '')) return false;
  const labels = p.metadata?.labels ?? {};
  return Object.entries(z.members.matchLabels).every(([k, v]) => labels[k] === v);
}

function defaultKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return kc;
}
