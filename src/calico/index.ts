// The L1 Calico API objects: typed projectcalico.org/v3 resources validated as Calico validates them.
export * from './calico-enums';
export * from './calico-protocol';
export * from './calico-port';
export * from './calico-rule';
export * from './calico-policy-spec';
export * from './calico-network-set-spec';
export * from './calico-ip-pool-spec';
export * from './calico-api-object';
export * from './calico-network-policy';
export * from './calico-global-network-policy';
export * from './calico-staged-global-network-policy';
export * from './calico-network-set';
export * from './calico-global-network-set';
export * from './calico-ip-pool';
export * from './calico-tier-spec';
export * from './calico-tier';
