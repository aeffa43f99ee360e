/**
 * A Grafana dashboard for one gateway, over the metrics the agents export (src/agent: gateway
 * egress_gateway_zone_*, node egress_nat_*). Plain JSON model (schemaVersion 39), Prometheus datasource
 * chosen by a template variable so it imports into any Grafana.
 */
export function gatewayDashboard(gatewayName: string): { [key: string]: unknown } {
  const sel = `namespace=~"$namespace", pod=~"${gatewayName}-egress-gateway-.*"`;
  const panel = (id: number, title: string, expr: string, legend: string, unit: string, x: number, y: number) => ({
    id,
    title,
    type: 'timeseries',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x, y },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ refId: 'A', expr, legendFormat: legend }],
  });
  return {
    title: `Egress gateway ${gatewayName}`,
    uid: `cdk8s-egress-${gatewayName}`.slice(0, 40),
    schemaVersion: 39,
    tags: ['cdk8s-egress', 'egress-gateway'],
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus' },
        { name: 'namespace', type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' }, query: 'label_values(egress_gateway_zone_bytes_total, namespace)', includeAll: true },
      ],
    },
    panels: [
      panel(1, 'Traffic by zone and verdict', `sum by (zone, verdict) (rate(egress_gateway_zone_bytes_total{${sel}}[5m])) * 8`, '{{zone}} {{verdict}}', 'bps', 0, 0),
      panel(2, 'Dropped packets (outside the allow-list)', `sum by (zone) (rate(egress_gateway_zone_drops_total{${sel}}[5m]))`, '{{zone}}', 'pps', 12, 0),
      panel(3, 'Active flows', `sum by (zone) (egress_gateway_zone_active_flows{${sel}})`, '{{zone}}', 'short', 0, 8),
      panel(4, 'SNAT ports in use per egress IP', `max by (zone, egress_ip) (egress_gateway_zone_snat_ports_in_use{${sel}})`, '{{zone}} {{egress_ip}}', 'short', 12, 8),
      panel(5, 'Replicas as the nodes see them', `sum by (health) (egress_nat_gateway_replicas{gateway="${gatewayName}"}) / scalar(count(count by (pod) (egress_nat_gateway_replicas{gateway="${gatewayName}"})))`, '{{health}}', 'short', 0, 16),
      panel(6, 'Node agent sync failures', 'sum(rate(egress_nat_sync_failures_total[5m]))', 'failures', 'ops', 12, 16),
      // How close the probes run to the silence window (interval × (threshold - 1) + timeout): the margin before a live
      // replica would be declared dead on probes alone.
      panel(7, 'Probe round trip, p99 by node and family', `histogram_quantile(0.99, sum by (pod, family, le) (rate(egress_nat_probe_rtt_seconds_bucket{gateway="${gatewayName}"}[5m])))`, '{{pod}} {{family}}', 's', 0, 24),
      panel(8, 'Probes unanswered by family', `1 - sum by (family) (rate(egress_nat_probe_rtt_seconds_count{gateway="${gatewayName}"}[5m])) / sum by (family) (rate(egress_nat_probes_sent_total{gateway="${gatewayName}"}[5m]))`, '{{family}}', 'percentunit', 12, 24),
      // Answers overdue (each sends a volley of extra probes): a node losing probes shows here before any false verdict.
      panel(9, 'Overdue probe answers by node and family', `sum by (pod, family) (rate(egress_nat_probe_volleys_total{gateway="${gatewayName}"}[5m]))`, '{{pod}} {{family}}', 'ops', 0, 32),
    ],
  };
}
