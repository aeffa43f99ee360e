/**
 * Prometheus (Debian's `prometheus` package) on a lab node's host network, scraping what the emitted monitoring objects
 * describe. There is no Prometheus operator here, so the ServiceMonitor and PodMonitor are read as the operator reads
 * them and written as a static scrape configuration: the Services their selector picks, the EndpointSlices' ready
 * addresses on the named port (ServiceMonitor), or the Pods and their named container port (PodMonitor), each target
 * labelled as the operator labels it (`namespace`, `service`, `pod`, `container`, `endpoint`, `job`). Queries go through
 * `promtool query instant`, as an operator would ask from a shell.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MONITORING_API, NodeLab } from './node-lab';
import { LabNode, nsRun, waitFor } from '../lab';

const ADDRESS = '127.0.0.1:9090';
const selectorArg = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

/** One scrape job per monitor endpoint, with the targets the objects select right now. */
export function scrapeJobs(n: NodeLab): any[] {
  const jobs: any[] = [];
  for (const sm of n.docs.filter((d) => d.apiVersion === MONITORING_API && d.kind === 'ServiceMonitor')) {
    for (const ns of sm.spec.namespaceSelector.matchNames as string[]) {
      for (const svc of n.get(['services', '-n', ns, '-l', selectorArg(sm.spec.selector.matchLabels)]).items) {
        const slices = n.get(['endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${svc.metadata.name}`]).items;
        sm.spec.endpoints.forEach((ep: any, i: number) => {
          const targets = slices.flatMap((s: any) => {
            const port = (s.ports ?? []).find((p: any) => p.name === ep.port)?.port;
            return (s.endpoints ?? []).filter((e: any) => port && e.conditions?.ready).map((e: any) => ({
              targets: [`${e.addresses[0]}:${port}`],
              labels: { namespace: ns, service: svc.metadata.name, pod: e.targetRef?.name ?? '', endpoint: ep.port, job: svc.metadata.name },
            }));
          });
          jobs.push({ job_name: `serviceMonitor/${sm.metadata.namespace}/${sm.metadata.name}/${i}`, scrape_interval: ep.interval, metrics_path: ep.path, static_configs: targets });
        });
      }
    }
  }
  for (const pm of n.docs.filter((d) => d.apiVersion === MONITORING_API && d.kind === 'PodMonitor')) {
    for (const ns of pm.spec.namespaceSelector.matchNames as string[]) {
      const pods = n.get(['pods', '-n', ns, '-l', selectorArg(pm.spec.selector.matchLabels)]).items.filter((p: any) => p.status.podIP);
      pm.spec.podMetricsEndpoints.forEach((ep: any, i: number) => {
        const named = (c: any) => (c.ports ?? []).filter((cp: any) => cp.name === ep.port);
        const targets = pods.flatMap((p: any) => p.spec.containers.flatMap((c: any) => named(c).map((cp: any) => ({
          targets: [`${p.status.podIP}:${cp.containerPort}`],
          labels: { namespace: ns, pod: p.metadata.name, container: c.name, endpoint: ep.port, job: `${pm.metadata.namespace}/${pm.metadata.name}` },
        }))));
        jobs.push({ job_name: `podMonitor/${pm.metadata.namespace}/${pm.metadata.name}/${i}`, scrape_interval: ep.interval, metrics_path: ep.path, static_configs: targets });
      });
    }
  }
  return jobs;
}

/** The emitted Grafana dashboard's panel queries, `$namespace` expanded as Grafana's "All" does (its label_values query). */
export function dashboardPanels(n: NodeLab, prom: LabPrometheus): { title: string; expr: string }[] {
  const cm = n.docs.find((d) => d.kind === 'ConfigMap' && d.metadata.labels?.grafana_dashboard === '1');
  const model = JSON.parse(Object.values(cm.data as Record<string, string>)[0]);
  const nsVar = model.templating.list.find((v: any) => v.name === 'namespace');
  const m = /^label_values\((\w+), (\w+)\)$/.exec(nsVar.query);
  if (!m) throw new Error(`the dashboard's namespace variable is not label_values(metric, label): ${nsVar.query}`);
  const values = prom.query(`group by (${m[2]}) (${m[1]})`).map((s: any) => s.metric[m[2]]);
  const all = `(${values.join('|')})`;
  return model.panels.map((p: any) => ({ title: p.title, expr: p.targets[0].expr.replace(/\$namespace/g, all) }));
}

export class LabPrometheus {
  /** Starts Prometheus in the node's network namespace (a host-network Prometheus) with the monitors' targets. */
  public static async start(n: NodeLab, node: LabNode): Promise<LabPrometheus> {
    const dir = path.join(n.lab.dir, 'prometheus');
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    const jobs = scrapeJobs(n);
    // JSON is YAML.
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify({ global: { evaluation_interval: '15s' }, scrape_configs: jobs }, null, 2));
    n.lab.startDaemon(node.netns, 'prometheus', ['prometheus', `--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=${ADDRESS}`, '--log.level=warn']);
    const p = new LabPrometheus(node, jobs);
    await waitFor('Prometheus ready', () => /Ready/.test(nsRun(node.netns, ['curl', '-s', `http://${ADDRESS}/-/ready`], { timeoutMs: 5000 })), 60_000, 500);
    return p;
  }

  private constructor(private readonly node: LabNode, public readonly jobs: any[]) {}

  /** An instant query through promtool; the result vector. */
  public query(expr: string): any[] {
    const out = nsRun(this.node.netns, ['promtool', 'query', 'instant', '-o', 'json', `http://${ADDRESS}`, expr], { timeoutMs: 30_000 }).trim();
    return out ? JSON.parse(out) : [];
  }
}
