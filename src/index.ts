// Value model (backend-neutral)
export * from './model/protocol';
export * from './model/port';
export * from './model/http-path';
export * from './model/http-match';
export * from './model/mesh-model';
export * from './model/cidr';
export * from './model/cidr-aggregation';
export * from './model/egress-model-document';
export { InClusterTraffic } from './model/in-cluster-traffic';
export type { ApiServerModel } from './model/in-cluster-traffic';
export { Enforcement } from './model/enforcement';
// Constructs users meet first
export * from './constructs/cluster-network';
export * from './constructs/dns-options';
export * from './constructs/destination';
export * from './constructs/destination-set';
export * from './constructs/egress-gateway-ref';
export * from './constructs/egress-zone';
export * from './constructs/allow-external';
export * from './constructs/egress-rule';
export * from './constructs/nat-pool';
export * from './constructs/egress-app';
// Backends and the model API
export * from './backends/backend';
export * from './backends/backend-renderer';
export * from './backends/istio/istio-options';
export * from './synth/egress-model';
export * from './constructs/egress-review';
export * from './model/zone-source';
export * from './review/can-reach';
export * from './review/egress-map';
export * from './review/egress-map-svg';
export * from './review/posture-diff';
export * from './model/selector';
export * from './calico';
// Firewall exports
export * from './exporters/firewall-exporter';
export * from './exporters/firewall-export-input';
export * from './exporters/firewall-format';
export type { FirewallExportResult } from './exporters/export-firewall';
export * from './constructs/firewall-export';
// Backends beyond open-source Calico
export * from './backends/backend-capabilities';
export * from './constructs/calico-enterprise-gateway';
export * from './cilium';
// Egress gateway (our data path)
export * from './constructs/egress-gateway';
export * from './constructs/staged-zone-observer';
export * from './constructs/gateway/egress-gateway-props';
export { SysctlMethod } from './constructs/gateway/sysctl-method';
export type { EgressNodeAgentOptions } from './constructs/gateway/egress-node-agent';
