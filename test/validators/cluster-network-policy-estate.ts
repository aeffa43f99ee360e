/**
 * One estate that uses every feature the ClusterNetworkPolicy backend writes, for the checks by real systems (the
 * release's Go types in test/validators, its CRDs on the lab's API server in test/lab).
 */
import * as YAML from 'yaml';
import { Output } from './estates';
import { Destination, DestinationSet, EgressZone, InClusterTraffic, Port, Selector } from '../../src';
import { chartFor } from '../meaning/support';
import { captureWarnings } from '../support/warnings';

/** The one warning it draws: its domain names are experimental in the release. */
export const EVERY_FEATURE_WARNING = /^egress backends egress\/shop\/saas: rule "saas" of zone "shop" matches domain names with ClusterNetworkPolicy's domainNames, which sigs.k8s.io\/network-policy-api v0.3.0 marks experimental/;

/** Every feature the backend writes once: both subjects, DNS with extra servers, the API server, all in-cluster choices, ranges, SCTP, names. */
export function everyFeatureOutput(): Output & { warnings: string[] } {
  const { app, chart } = chartFor('cluster-network-policy', { apiServerAddresses: ['192.0.2.2/32'], dns: { cidrs: ['169.254.20.10/32'] } });
  const saas = new DestinationSet(chart, 'saas', { cidrs: ['198.51.100.0/24', '2001:db8:100::/48'], domains: ['api.example.com', '*.storage.example.net'] });
  new EgressZone(chart, 'shop', { namespaces: ['shop', 'web'], podSelector: Selector.parse('app in {"api", "web"} && !has(legacy)'), allowApiServer: true, inCluster: InClusterTraffic.DENY })
    .allow('saas', { to: [Destination.set(saas)], ports: [Port.tcp(443), Port.tcpRange(8000, 8080), Port.sctp(9899), Port.allUdp()] });
  new EgressZone(chart, 'teams', { namespaces: ['ops'], namespaceSelector: Selector.parse('team == "a"'), inCluster: InClusterTraffic.ALLOW, order: 90 })
    .allow('anything', { to: [Destination.cidrs(['203.0.113.0/24'])], ports: [Port.allTraffic()] });
  new EgressZone(chart, 'batch', { namespaces: ['batch'], order: 50 });
  const { result: yaml, warnings } = captureWarnings(() => app.synthYaml());
  return { label: 'every feature', yaml, objects: YAML.parseAllDocuments(yaml).map(d => d.toJSON()).filter(o => o), warnings };
}

