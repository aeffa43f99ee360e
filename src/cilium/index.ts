export * from './cilium-types';
export * from './cilium-clusterwide-network-policy';
export * from './cilium-egress-gateway-policy';
