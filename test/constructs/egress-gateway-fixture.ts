import { Chart, Testing } from 'cdk8s';
import { ClusterNetwork, Destination, EgressZone, Port } from '../../src';
import { EgressGateway } from '../../src/constructs/egress-gateway';
import { EgressGatewayProps } from '../../src/constructs/gateway/egress-gateway-props';
import { parseDataPathConfig } from '../../src/datapath';

/** A chart with the cluster's ranges declared, as the gateway's policy needs them. */
export function clusterChart(nodeCidrs: string[] = ['192.0.2.0/24']): Chart {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs });
  return chart;
}

export function gateway(chart: Chart, props: Partial<EgressGatewayProps> = {}, id = 'gw'): EgressGateway {
  return new EgressGateway(chart, id, { namespace: 'egress', egressCidr: '198.18.0.0/29', ...props });
}

export function objectsOf(chart: Chart, kind: string): any[] {
  return Testing.synth(chart).filter(o => o.kind === kind);
}

export function one(objects: any[], kind: string, name?: string): any {
  const found = objects.filter(o => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The data-path document of the app, parsed by the agents' own parser. */
export function dataPathOf(objects: any[], namespace = 'egress') {
  const cm = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'egress-data-path' && o.metadata.namespace === namespace);
  if (!cm) throw new Error(`no data-path ConfigMap in ${namespace}`);
  return parseDataPathConfig(cm.data['data-path.json']);
}

/** A zone leaving through a gateway, with one allowed destination. */
export function estate(props: Parameters<typeof gateway>[1] = {}) {
  const chart = clusterChart();
  const gw = gateway(chart, props);
  const zone = new EgressZone(chart, 'partners', { namespaces: ['partners'], podLabels: { app: 'sync' } });
  zone.egressVia(gw);
  zone.allow('partner-api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443), Port.tcpRange(8000, 8080)], description: 'Partner API' });
  return { chart, gw, zone };
}
