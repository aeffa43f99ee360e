import { Chart, Testing } from 'cdk8s';
import { ClusterNetwork, Destination, DestinationSet, EgressModel, EgressZone, Enforcement, InClusterTraffic, Port } from '../../src';
import { EgressModelDocument } from '../../src/model/egress-model-document';

// Flows the way Calico v3.31's Goldmane writes them (goldmane/proto/api.proto), for the rollout report's tests.

/** Enum numbers of api.proto. */
export const KIND = { GlobalNetworkPolicy: 2, StagedGlobalNetworkPolicy: 4, Profile: 9, EndOfTier: 10 };
export const ACTION = { Allow: 1, Deny: 2, Pass: 3 };
export const TYPE = { WorkloadEndpoint: 1, HostEndpoint: 2, NetworkSet: 3, Network: 4 };
export const REPORTER = { Src: 1, Dst: 2 };

export interface FlowSpec {
  readonly source?: [string, string];
  readonly destType: number;
  readonly destName: string;
  readonly destNamespace?: string;
  readonly service?: [string, string, number];
  readonly port: number;
  readonly proto?: string;
  readonly reporter?: number;
  readonly pending: object[];
  readonly start: number;
  readonly connections?: number;
  readonly packets?: number;
}

/** A PolicyHit as the emitter writes it (proto field names, enums as numbers). */
export function hit(kind: number, name: string, action: number, ruleIndex: number, tier = 'default', trigger?: object): object {
  return { kind, name, tier, action, policy_index: 0, rule_index: ruleIndex, ...(trigger ? { trigger } : {}) };
}

/** A Flow as Goldmane's emitter writes it: `json.Marshal` of proto.Flow (omitempty: zero values left out). */
export function emitterFlow(f: FlowSpec): object {
  const [srcNs, srcName] = f.source ?? ['shop', 'web-7d9f8b-*'];
  return {
    Key: {
      source_name: srcName,
      source_namespace: srcNs,
      source_type: TYPE.WorkloadEndpoint,
      dest_name: f.destName,
      dest_namespace: f.destNamespace ?? '-',
      dest_type: f.destType,
      dest_port: f.port,
      // Felix writes "-" where there is no Service (as Felix v3.31 reported in the lab, test/lab/rollout-report.test.ts)
      ...(f.service
        ? { dest_service_namespace: f.service[0], dest_service_name: f.service[1], dest_service_port: f.service[2] }
        : { dest_service_namespace: '-', dest_service_name: '-' }),
      proto: f.proto ?? 'tcp',
      reporter: f.reporter ?? REPORTER.Src,
      action: ACTION.Allow,
      policies: { enforced_policies: [hit(KIND.Profile, 'kns.shop', ACTION.Allow, 0, '')], pending_policies: f.pending },
    },
    start_time: f.start,
    end_time: f.start + 15,
    packets_out: f.packets ?? 10,
    num_connections_started: f.connections ?? 1,
  };
}

/** The same flow in protojson (what grpcurl prints): camelCase names, enums by name, int64 as strings. */
export function protojsonFlow(emitter: object): object {
  const names: { [field: string]: { [n: number]: string } } = {
    kind: { 2: 'GlobalNetworkPolicy', 4: 'StagedGlobalNetworkPolicy', 9: 'Profile', 10: 'EndOfTier' },
    action: { 1: 'Allow', 2: 'Deny', 3: 'Pass' },
    source_type: { 1: 'WorkloadEndpoint', 2: 'HostEndpoint', 3: 'NetworkSet', 4: 'Network' },
    dest_type: { 1: 'WorkloadEndpoint', 2: 'HostEndpoint', 3: 'NetworkSet', 4: 'Network' },
    reporter: { 1: 'Src', 2: 'Dst' },
  };
  const int64 = ['policy_index', 'rule_index', 'dest_port', 'dest_service_port', 'start_time', 'end_time', 'packets_out', 'num_connections_started'];
  const convert = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map(x => convert(x));
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k === 'Key' ? k : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), convert(x, k)]));
    }
    if (typeof v === 'number' && names[key]) return names[key][v];
    if (typeof v === 'number' && int64.includes(key)) return String(v);
    return v;
  };
  return convert(emitter) as object;
}

/**
 * shop: staged, default tier, allows the partners set on 443, in-cluster left to other policies. ops: enforced,
 * allows github on 443 and 22 (so github's GlobalNetworkSet exists and Felix names it in flows).
 */
type ShopRules = (shop: EgressZone, sets: { partners: DestinationSet; github: DestinationSet }) => void;

export function rolloutApp(options: { shopRules?: ShopRules } = {}): { chart: Chart; doc: EgressModelDocument } {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/24'], apiServerAddresses: ['192.0.2.2'] });
  const partners = new DestinationSet(chart, 'partners', { cidrs: ['203.0.113.0/25'] });
  const github = new DestinationSet(chart, 'github', { cidrs: ['198.51.100.0/26'] });
  const shop = new EgressZone(chart, 'shop', { namespaces: ['shop'], enforcement: Enforcement.STAGED, inCluster: InClusterTraffic.PASS });
  shop.allow('partners', { to: [Destination.set(partners)], ports: [Port.tcp(443)] });
  const ops = new EgressZone(chart, 'ops', { namespaces: ['ops'] });
  ops.allow('github', { to: [Destination.set(github)], ports: [Port.tcp(443), Port.tcp(22)] });
  options.shopRules?.(shop, { partners, github });
  return { chart, doc: EgressModel.of(chart) };
}

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

/** The flows of the shop zone's week: what it declares, what it does not, and what is not its concern. */
export function shopFlows(): object[] {
  const denyExternal = hit(KIND.StagedGlobalNetworkPolicy, 'egress-shop', ACTION.Deny, 2);
  const allowPartners = hit(KIND.StagedGlobalNetworkPolicy, 'egress-shop', ACTION.Allow, 1);
  return [
    // declared: partners on 443
    emitterFlow({ destType: TYPE.NetworkSet, destName: 'partners', port: 443, pending: [allowPartners], start: T0 }),
    // undeclared: github (ops' set) on 443 twice and on 22
    emitterFlow({ destType: TYPE.NetworkSet, destName: 'github', port: 443, pending: [denyExternal], start: T0 + 60, connections: 3, packets: 30 }),
    emitterFlow({ destType: TYPE.NetworkSet, destName: 'github', port: 443, pending: [denyExternal], start: T0 + 3600, connections: 2, packets: 20, source: ['shop', 'cron-*'] }),
    emitterFlow({ destType: TYPE.NetworkSet, destName: 'github', port: 22, pending: [denyExternal], start: T0 + 120 }),
    // undeclared: a public address in no network set
    emitterFlow({ destType: TYPE.Network, destName: 'pub', port: 8443, pending: [denyExternal], start: T0 + 30 }),
    // the API server through its Service (translated to the node address, a Network for Felix)
    emitterFlow({ destType: TYPE.Network, destName: 'pub', service: ['default', 'kubernetes', 443], port: 6443, pending: [denyExternal], start: T0 + 10 }),
    // another namespace's pods: no rule of the staged zone matches, the tier's end denies
    emitterFlow({
      destType: TYPE.WorkloadEndpoint,
      destName: 'orders-*',
      destNamespace: 'orders',
      port: 8080,
      start: T0 + 5,
      pending: [hit(KIND.EndOfTier, '', ACTION.Deny, -1, 'default', { kind: KIND.StagedGlobalNetworkPolicy, name: 'egress-shop', tier: 'default' })],
    }),
    // the destination's own report of a denied flow: egress is decided at the source
    emitterFlow({ destType: TYPE.NetworkSet, destName: 'github', port: 443, reporter: REPORTER.Dst, pending: [denyExternal], start: T0 }),
    // an enforced zone's deny is not a staged verdict
    emitterFlow({ source: ['ops', 'deploy-*'], destType: TYPE.Network, destName: 'pub', port: 25, pending: [hit(KIND.GlobalNetworkPolicy, 'egress-ops', ACTION.Deny, 3)], start: T0 }),
    // a staged policy of another app
    emitterFlow({ source: ['legacy', 'app-*'], destType: TYPE.Network, destName: 'pub', port: 80, pending: [hit(KIND.StagedGlobalNetworkPolicy, 'egress-legacy', ACTION.Deny, 0)], start: T0 }),
  ];
}

export const SHOP_T0 = T0;
