// The agents' own runtime dependencies: installed in the images, never in the construct library.
import * as k8s from '@kubernetes/client-node';
import { ClusterSource } from './cluster-source';
import { log } from './log';
import { GatewayEndpoint, ObservedCluster, ZonePod } from './observed-state';
import { DataPathConfig, ZoneConfig } from '../../datapath';

/** Restart delays after a failed list or watch (API server down, network cut): 0.25 s doubling to 8 s. */
const RESTART_MIN_MS = 250;
const RESTART_MAX_MS = 8000;

/**
 * The thin adapter over @kubernetes/client-node: pods scheduled on this node (field selector
 * spec.nodeName) matched to zones by namespace + matchLabels, and each gateway Service's
 * EndpointSlices (ready/terminating conditions). The client's ListWatch lists, then watches from
 * the list's resourceVersion; it relists by itself after "410 Gone" (resourceVersion too old) and
 * re-opens a watch that the server ended. Any other failure (refused, reset, 5xx, 403) stops it:
 * the watch is restarted here with backoff, from the last resourceVersion it saw, so nothing that
 * changed while disconnected is missed. Until then the last view stands (and so do the rules).
 * The first `onUpdate` comes once both lists arrived: it is a complete view.
 */
export class KubernetesSource implements ClusterSource {
  private watches: Array<k8s.ListWatch<k8s.KubernetesObject>> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private config?: DataPathConfig;
  private stopped = false;

  constructor(private readonly nodeName: string, private readonly kc = defaultKubeConfig()) {}

  public async start(config: DataPathConfig, onUpdate: (observed: ObservedCluster) => void): Promise<void> {
    this.config = config;
    if (this.watches.length > 0) return;
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    const discovery = this.kc.makeApiClient(k8s.DiscoveryV1Api);
    const watch = new k8s.Watch(this.kc);
    const podSelector = `spec.nodeName=${this.nodeName}`;
    const sliceSelector = 'kubernetes.io/service-name';
    const pods = new k8s.ListWatch<k8s.V1Pod>('/api/v1/pods', watch,
      () => core.listPodForAllNamespaces({ fieldSelector: podSelector }), false, undefined, podSelector);
    const slices = new k8s.ListWatch<k8s.V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', watch,
      () => discovery.listEndpointSliceForAllNamespaces({ labelSelector: sliceSelector }), false, sliceSelector);
    const listed = new Set<string>();
    const emit = () => {
      if (listed.size < 2 || this.stopped) return;
      onUpdate({ pods: this.zonePods([...pods.list()]), gateways: this.endpoints([...slices.list()]) });
    };
    const first: Array<Promise<void>> = [];
    for (const [what, lw] of [['pods', pods], ['endpointslices', slices]] as Array<[string, k8s.ListWatch<k8s.KubernetesObject>]>) {
      lw.on('add', emit);
      lw.on('update', emit);
      lw.on('delete', emit);
      let delayMs = 0;
      let connects = 0;
      let firstList: () => void = () => undefined;
      first.push(new Promise<void>((resolve) => (firstList = resolve)));
      // start() resolves once the list arrived and the watch is open, or after a failure (reported
      // through 'error'); a resourceVersion says the list arrived.
      const run = () => lw.start().then(() => {
        if (!lw.latestResourceVersion() || listed.has(what)) return;
        listed.add(what);
        firstList();
      });
      lw.on('connect', () => {
        if (connects++ > 0) log('info', 'watch reconnecting', { resource: what, from: lw.latestResourceVersion() || 'a new list' });
      });
      lw.on('error', (e: unknown) => {
        if (this.stopped) return;
        delayMs = Math.min(RESTART_MAX_MS, Math.max(RESTART_MIN_MS, delayMs * 2));
        log('warn', 'list/watch failed; keeping the last view', { resource: what, error: describe(e), retryInMs: delayMs });
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!this.stopped) void run();
        }, delayMs);
        this.timers.add(t);
      });
      // A watch that delivers events again has recovered: the next failure starts the backoff anew.
      lw.on('change', () => (delayMs = 0));
      this.watches.push(lw);
      void run();
    }
    await Promise.all(first);
    emit();
  }

  public stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.watches) void w.stop();
  }

  private zonePods(list: k8s.V1Pod[]): ZonePod[] {
    const out: ZonePod[] = [];
    for (const p of list) {
      // Every address of a dual-stack pod (podIPs; podIP is the first of them).
      const ips = (p.status?.podIPs ?? []).map((x) => x.ip).filter(Boolean);
      if (ips.length === 0 && p.status?.podIP) ips.push(p.status.podIP);
      if (ips.length === 0 || p.spec?.hostNetwork || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      // Steered zones first; then the staged zones the address observer records (data-path `observe`).
      const zone = [...this.config!.zones, ...this.config!.observe?.zones ?? []].find((z) => matches(z, p));
      for (const ip of zone ? ips : []) out.push({ ip, zone: zone!.name, name: `${p.metadata?.namespace}/${p.metadata?.name}` });
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

function matches(z: Pick<ZoneConfig, 'members'>, p: k8s.V1Pod): boolean {
  if (z.members.namespaces.length > 0 && !z.members.namespaces.includes(p.metadata?.namespace ?? '')) return false;
  const labels = p.metadata?.labels ?? {};
  return Object.entries(z.members.matchLabels).every(([k, v]) => labels[k] === v);
}

/** The status code and message of an API error, or the network error's message. */
function describe(e: unknown): string {
  const err = e as { code?: number; statusCode?: number; message?: string; body?: unknown; cause?: { code?: string; message?: string } };
  const status = err?.code ?? err?.statusCode;
  const msg = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return typeof status === 'number' ? `HTTP ${status}: ${msg.slice(0, 300)}` : msg.slice(0, 300);
}

function defaultKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return kc;
}
