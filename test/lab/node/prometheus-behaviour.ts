/**
 * Behaviour 6 of issue 23: Prometheus (Debian's package) scrapes the gateway replicas and the node agents as the
 * emitted ServiceMonitor and PodMonitor describe (node-prometheus.ts), and every panel query of the emitted Grafana
 * dashboard returns data (`promtool query instant`).
 */
import { dashboardPanels } from './node-prometheus';
import { NodeSuite } from './node-suite';
import { udpFlows } from '../gateway/gateway-traffic';
import { waitFor } from '../lab';

const print = (line: string) => console.log(line); // eslint-disable-line no-console

export function prometheusBehaviour(s: NodeSuite): void {
  test('6. Prometheus scrapes what the ServiceMonitor and PodMonitor describe; every dashboard panel query returns data', async () => {
    const { n, prometheus } = s;
    const jobs = prometheus.jobs;
    const targetsOf = (prefix: string) => jobs.filter((j) => j.job_name.startsWith(prefix))
      .flatMap((j) => j.static_configs.map((c: any) => c.labels.pod));
    // The ServiceMonitor's Service endpoints are the gateway replicas; the PodMonitor's Pods are the node agents.
    expect(targetsOf('serviceMonitor/').sort()).toEqual(n.podsOf(n.kind('Deployment')).map((p) => p.metadata.name).sort());
    expect(targetsOf('podMonitor/').sort()).toEqual(n.podsOf(n.kind('DaemonSet')).map((p) => p.metadata.name).sort());
    const total = jobs.reduce((a, j) => a + j.static_configs.length, 0);
    expect(total).toBe(2 * n.lab.nodes.length);
    await waitFor('every target up', () => {
      const up = prometheus.query('up');
      return up.length === total && up.every((x: any) => x.value[1] === '1');
    }, 90_000, 2000);
    await udpFlows(s.client, 8, 20, 1000); // traffic through the gateway within the panels' rate windows
    const panels = dashboardPanels(n, prometheus);
    expect(panels.length).toBeGreaterThan(0);
    const answered: Record<string, number> = {};
    for (const p of panels) {
      // rate() needs two samples of a series (the monitors' interval is 15 s).
      const result = await waitFor(`data for panel "${p.title}": ${p.expr}`, () => {
        const r = prometheus.query(p.expr);
        return r.length > 0 ? r : undefined;
      }, 90_000, 3000);
      answered[p.title] = result.length;
    }
    print(`6: series per panel ${JSON.stringify(answered)}`);
    expect(Object.keys(answered)).toEqual(panels.map((p) => p.title));
  });
}
