// The data-path configuration contract (not exported from the package root: the library uses it
// internally to write the egress ConfigMap; the agents under src/agent read it).
export * from './data-path-config';
export * from './data-path-config-error';
export * from './parse-data-path-config';
export * from './domain-config';
export * from './gateway-domain-config';
export * from './address-observer-config';
export * from './domain-ipv6-config';
