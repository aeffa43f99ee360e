/**
 * The L1 constructs' table of invalid inputs (every validation rule, with the field, reason and construct path
 * each error names) and valid edge cases, shared by the construct tests (test/calico/calico-invalid.test.ts)
 * and by the comparison with Calico's own validator (test/validators/calico-agreement.test.ts).
 */
import { ApiObjectMetadata, Chart, Testing } from 'cdk8s';
import {
  CalicoAction, CalicoEncapsulationMode, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkPolicySpec, CalicoGlobalNetworkSet,
  CalicoGlobalNetworkSetSpec, CalicoIPPool, CalicoIPPoolAllowedUse, CalicoIPPoolSpec, CalicoNetworkPolicy, CalicoNetworkPolicySpec,
  CalicoNetworkSet, CalicoNetworkSetSpec, CalicoPolicyType, CalicoPort, CalicoProtocol, CalicoRule, CalicoTier, CalicoTierSpec,
} from '../../src/calico';
import { prune, renderIPPoolSpec, renderNetworkSetSpec, renderPolicySpec } from '../../src/calico/spec-json';

const { ALLOW, DENY } = CalicoAction;
const TCP = CalicoProtocol.TCP;

function chart(): Chart {
  return new Chart(Testing.app(), 'c');
}

/**
 * One input to an L1 construct: how to build it (at construct path c/P or c/S), and the manifest object it
 * stands for, rendered without our validation, so that Calico's own validator can judge the same input.
 */
export interface L1Case {
  readonly kind: 'GlobalNetworkPolicy' | 'NetworkPolicy' | 'GlobalNetworkSet' | 'NetworkSet' | 'IPPool' | 'Tier';
  build(): unknown;
  manifest(): any;
}

function l1(kind: L1Case['kind'], metadata: ApiObjectMetadata, spec: any, build: () => unknown, render: (s: any) => any): L1Case {
  return { kind, build, manifest: () => ({ apiVersion: 'projectcalico.org/v3', kind, metadata: prune({ ...metadata }) ?? {}, spec: render(spec) }) };
}

/**
 * The case with its manifest's spec written out: for inputs the renderer would not write as given (it drops
 * empty objects), so that Calico judges the input itself.
 */
function withManifestSpec(c: L1Case, spec: any): L1Case {
  return { ...c, manifest: () => ({ ...c.manifest(), spec }) };
}

/** A GlobalNetworkPolicy with the given spec (at construct path c/P). */
const gnp = (spec: CalicoGlobalNetworkPolicySpec, metadata: ApiObjectMetadata = { name: 'p' }) =>
  l1('GlobalNetworkPolicy', metadata, spec, () => new CalicoGlobalNetworkPolicy(chart(), 'P', { metadata, spec }), renderPolicySpec);
/** A GlobalNetworkPolicy with one egress rule. */
const egress = (rule: CalicoRule) => gnp({ egress: [rule] });
/** A GlobalNetworkPolicy with one ingress rule. */
const ingress = (rule: CalicoRule) => gnp({ ingress: [rule] });
const np = (spec: CalicoNetworkPolicySpec, metadata: ApiObjectMetadata = { name: 'p', namespace: 'ns' }) =>
  l1('NetworkPolicy', metadata, spec, () => new CalicoNetworkPolicy(chart(), 'P', { metadata, spec }), renderPolicySpec);
const pool = (spec: CalicoIPPoolSpec, metadata: ApiObjectMetadata = { name: 'pool' }) =>
  l1('IPPool', metadata, spec, () => new CalicoIPPool(chart(), 'P', { metadata, spec }), renderIPPoolSpec);
const gns = (spec: CalicoGlobalNetworkSetSpec, metadata: ApiObjectMetadata) =>
  l1('GlobalNetworkSet', metadata, spec, () => new CalicoGlobalNetworkSet(chart(), 'S', { metadata, spec }), renderNetworkSetSpec);
const ns = (spec: CalicoNetworkSetSpec, metadata: ApiObjectMetadata) =>
  l1('NetworkSet', metadata, spec, () => new CalicoNetworkSet(chart(), 'S', { metadata, spec }), renderNetworkSetSpec);
const tier = (spec: CalicoTierSpec, metadata: ApiObjectMetadata = { name: 'security' }) =>
  l1('Tier', metadata, spec, () => new CalicoTier(chart(), 'T', { metadata, spec }), s => prune({ order: s.order }) ?? {});

// Every rule the constructs implement, with the field path and the reason each error names.
export const INVALID_L1_CASES: Array<[string, L1Case, RegExp]> = [
  // Names, namespaces, labels, annotations (validateObjectMeta, policy name regexes, tiers).
  ['GNP name with two dots', gnp({}, { name: 'a.b.c' }), /metadata\.name "a\.b\.c" is not a valid GlobalNetworkPolicy name/],
  ['GNP name upper case', gnp({}, { name: 'Deny' }), /metadata\.name "Deny" is not a valid GlobalNetworkPolicy name.*\(at c\/P\)/],
  ['name too long', gnp({}, { name: 'a'.repeat(254) }), /metadata\.name "a{254}" is too long by 1 characters/],
  ['NP name with two dots', np({}, { name: 'x.y.z', namespace: 'ns' }), /metadata\.name "x\.y\.z" is not a valid NetworkPolicy name/],
  ['tier without prefix', gnp({ tier: 'security' }, { name: 'egress' }), /metadata\.name "egress" must be "security\.<name>" for a policy in tier "security".*hint: name it "security\.egress"/],
  ['tier with other prefix', gnp({ tier: 'security' }, { name: 'platform.egress' }), /metadata\.name "platform\.egress" must be "security\.<name>"/],
  ['prefix in default tier', gnp({}, { name: 'security.egress' }), /metadata\.name "security\.egress" has a tier prefix but the policy is in the default tier/],
  ['tier name with dot', gnp({ tier: 'a.b' }, { name: 'a.b.c' }), /spec\.tier "a\.b" is not a valid tier name/],
  ['tier name too long', gnp({ tier: 't'.repeat(64) }), /spec\.tier "t{64}" is not a valid tier name/],
  ['Tier name with a dot', tier({}, { name: 'a.b' }), /metadata\.name "a\.b" is not a valid Tier name: a DNS-1123 label \(at c\/T\)/],
  ['NP without namespace', np({}, { name: 'p' }), /metadata\.namespace "" is required: a NetworkPolicy is namespaced \(at c\/P\); hint: set metadata\.namespace/],
  ['NP bad namespace', np({}, { name: 'p', namespace: 'Team_A' }), /metadata\.namespace "Team_A" is not a valid namespace name/],
  ['GNP with namespace', gnp({}, { name: 'p', namespace: 'ns' }), /metadata\.namespace "ns" is not allowed: a GlobalNetworkPolicy is cluster-scoped/],
  ['bad label key', gnp({}, { name: 'p', labels: { 'a/b/c': 'x' } }), /metadata\.labels "a\/b\/c" is not a valid label key: a qualified name has at most one "\/"/],
  ['bad label value', gnp({}, { name: 'p', labels: { team: 'a b' } }), /metadata\.labels\["team"\] "a b" is not a valid label value/],
  ['bad annotation key', gnp({}, { name: 'p', annotations: { '-x': 'y' } }), /metadata\.annotations "-x" is not a valid annotation key/],
  ['annotations too large', gnp({}, { name: 'p', annotations: { a: 'x'.repeat(256 * 1024) } }), /metadata\.annotations "262145 bytes" are too large by 1 bytes/],
  ['network set name', gns({}, { name: 'Cards' }), /metadata\.name "Cards" is not a valid GlobalNetworkSet name: a DNS-1123 subdomain \(at c\/S\)/],
  ['network set namespace', ns({}, { name: 's' }), /metadata\.namespace "" is required: a NetworkSet is namespaced/],
  ['network set reserved label', ns({}, { name: 's', namespace: 'n', labels: { 'projectcalico.org/namespace': 'n' } }), /metadata\.labels "projectcalico\.org\/namespace" is reserved by Calico/],
  ['ip pool with namespace', pool({ cidr: '10.0.0.0/16' }, { name: 'p', namespace: 'n' }), /metadata\.namespace "n" is not allowed: a IPPool is cluster-scoped/],

  // Spec-level policy fields.
  ['order NaN', gnp({ order: NaN }), /spec\.order "null" is not a finite number/],
  ['order Infinity', gnp({ order: Infinity }), /spec\.order "null" is not a finite number/],
  ['duplicate types', gnp({ types: [CalicoPolicyType.EGRESS, CalicoPolicyType.EGRESS] }), /spec\.types\[1\] "Egress" is listed more than once/],
  ['unknown type', gnp({ types: ['Forward' as CalicoPolicyType] }), /spec\.types\[0\] "Forward" is not a policy type \(Ingress or Egress\)/],
  ['performance hint', gnp({ performanceHints: ['Fast'] }), /spec\.performanceHints\[0\] "Fast" is not a performance hint Calico knows \(AssumeNeededOnEveryNode\)/],
  ['selector syntax', gnp({ selector: 'app = "x"' }), /spec\.selector "app = "x"" is not a valid Calico selector: expected .* at position 4/],
  ['global() in policy selector', gnp({ selector: 'global()' }), /spec\.selector "global\(\)" uses global\(\), which Calico allows only as an entity rule's namespaceSelector/],
  ['global() in serviceAccountSelector', gnp({ serviceAccountSelector: 'global() || has(a)' }), /spec\.serviceAccountSelector .* uses global\(\)/],
  ['global() in GNP namespaceSelector', gnp({ namespaceSelector: 'global()' }), /spec\.namespaceSelector "global\(\)" uses global\(\)/],
  ['selector too long', gnp({ selector: `has(${'a'.repeat(1030)})` }), /spec\.selector "has\(a+\.\.\." is longer than Calico's 1024 characters/],
  ['too many rules', gnp({ egress: Array.from({ length: 1025 }, () => ({ action: DENY })) }), /spec\.egress "1025 items" has more than the 1024 items Calico allows/],

  // GlobalNetworkPolicy flags.
  ['preDNAT and doNotTrack', gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }), /spec\.preDNAT "true" cannot be true together with doNotTrack/],
  ['preDNAT with egress rules', gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: DENY }] }), /spec\.egress "1 rules" is not allowed in a preDNAT policy/],
  ['preDNAT with Egress type', gnp({ preDNAT: true, applyOnForward: true, types: [CalicoPolicyType.EGRESS] }), /spec\.types .* cannot include Egress in a preDNAT policy/],
  ['preDNAT without applyOnForward', gnp({ preDNAT: true }), /spec\.applyOnForward "false" must be true when preDNAT or doNotTrack is true/],
  ['doNotTrack without applyOnForward', gnp({ doNotTrack: true, applyOnForward: false }), /spec\.applyOnForward "false" must be true/],

  // Actions, IP version, protocols.
  ['action', egress({ action: 'allow' as CalicoAction }), /spec\.egress\[0\]\.action "allow" is not a Calico action \(Allow, Deny, Log, Pass\)/],
  ['ipVersion', egress({ action: DENY, ipVersion: 5 }), /spec\.egress\[0\]\.ipVersion "5" is not an IP version \(4 or 6\)/],
  ['protocol not a CalicoProtocol', egress({ action: DENY, protocol: 'TCP' as any }), /spec\.egress\[0\]\.protocol "TCP" is not a CalicoProtocol \(at c\/P\); hint: use CalicoProtocol\.TCP/],
  ['ICMP with ipVersion 6', egress({ action: ALLOW, protocol: CalicoProtocol.ICMP, ipVersion: 6 }), /spec\.egress\[0\]\.ipVersion "6" must be 4 with protocol ICMP/],
  ['ICMPv6 with ipVersion 4', egress({ action: ALLOW, protocol: CalicoProtocol.ICMPV6, ipVersion: 4 }), /spec\.egress\[0\]\.ipVersion "4" must be 6 with protocol ICMPv6/],
  ['protocol 58 with ipVersion 4', egress({ action: ALLOW, protocol: CalicoProtocol.of(58), ipVersion: 4 }), /ipVersion "4" must be 6 with protocol 58/],
  ['notProtocol ICMP with ipVersion 6', egress({ action: ALLOW, notProtocol: CalicoProtocol.ICMP, ipVersion: 6 }), /ipVersion "6" must be 4 with notProtocol ICMP/],

  // ICMP fields.
  ['icmp without protocol', egress({ action: ALLOW, icmp: { type: 8 } }), /spec\.egress\[0\]\.icmp .* needs the rule's protocol to be ICMP or ICMPv6/],
  ['icmp with TCP', egress({ action: ALLOW, protocol: TCP, icmp: { type: 8 } }), /spec\.egress\[0\]\.icmp .* needs the rule's protocol to be ICMP or ICMPv6/],
  ['icmp with protocol 1', egress({ action: ALLOW, protocol: CalicoProtocol.of(1), icmp: { type: 8 } }), /needs the rule's protocol to be ICMP or ICMPv6.*hint: Calico requires the protocol by name/],
  ['icmp type 255', egress({ action: ALLOW, protocol: CalicoProtocol.ICMP, icmp: { type: 255 } }), /spec\.egress\[0\]\.icmp\.type "255" is not an ICMP type Calico accepts \(an integer 0-254\)/],
  ['icmp code 256', egress({ action: ALLOW, protocol: CalicoProtocol.ICMP, icmp: { type: 3, code: 256 } }), /spec\.egress\[0\]\.icmp\.code "256" is not an ICMP code Calico accepts \(an integer 0-255\)/],
  ['icmp code without type', egress({ action: ALLOW, protocol: CalicoProtocol.ICMP, icmp: { code: 0 } }), /spec\.egress\[0\]\.icmp\.code "0" needs an ICMP type with it/],
  ['notICMP code without type', egress({ action: ALLOW, protocol: CalicoProtocol.ICMP, notICMP: { code: 1 } }), /spec\.egress\[0\]\.notICMP\.code "1" needs an ICMP type/],
  ['icmp negative type', egress({ action: ALLOW, protocol: CalicoProtocol.ICMP, icmp: { type: -1 } }), /icmp\.type "-1" is not an ICMP type/],

  // Ports need TCP/UDP/SCTP.
  ['ports without protocol', egress({ action: ALLOW, destination: { ports: [CalicoPort.of(443)] } }), /spec\.egress\[0\]\.destination\.ports .*443.* needs the rule's protocol to be TCP, UDP or SCTP/],
  ['ports with ICMP', egress({ action: ALLOW, protocol: CalicoProtocol.ICMP, source: { ports: [CalicoPort.of(1)] } }), /spec\.egress\[0\]\.source\.ports .* needs the rule's protocol to be TCP, UDP or SCTP/],
  ['notPorts with protocol 47', egress({ action: ALLOW, protocol: CalicoProtocol.of(47), destination: { notPorts: [CalicoPort.of(1)] } }), /destination\.notPorts .* needs the rule's protocol/],
  ['port not a CalicoPort', egress({ action: ALLOW, protocol: TCP, destination: { ports: [443 as any] } }), /spec\.egress\[0\]\.destination\.ports\[0\] "443" is not a CalicoPort/],
  ['too many ports', egress({ action: ALLOW, protocol: TCP, destination: { ports: Array.from({ length: 51 }, (_, i) => CalicoPort.of(i + 1)) } }), /destination\.ports "51 items" has more than the 50 items/],

  // Nets.
  ['invalid CIDR', egress({ action: ALLOW, destination: { nets: ['10.0.0.0/33'] } }), /spec\.egress\[0\]\.destination\.nets\[0\] "10\.0\.0\.0\/33" is not a valid CIDR or IP address \(at c\/P\)/],
  ['not an address', egress({ action: ALLOW, destination: { nets: ['10.0.0.0', 'example.com'] } }), /destination\.nets\[1\] "example\.com" is not a valid CIDR/],
  ['short IPv4 form', egress({ action: ALLOW, destination: { nets: ['10.1/16'] } }), /destination\.nets\[0\] "10\.1\/16" is not a valid CIDR/],
  ['host bits set', egress({ action: ALLOW, destination: { nets: ['10.1.2.3/8'] } }), /destination\.nets\[0\] "10\.1\.2\.3\/8" is not strictly masked/],
  ['IPv6 net with ipVersion 4', egress({ action: ALLOW, ipVersion: 4, destination: { notNets: ['2001:db8::/32'] } }), /destination\.notNets\[0\] "2001:db8::\/32" is an IPv6 network but the rule's ipVersion is 4/],
  ['mixed families in a list', egress({ action: ALLOW, destination: { nets: ['10.0.0.0/8', '2001:db8::/32'] } }), /destination\.nets\[1\] "2001:db8::\/32" is IPv6 but spec\.egress\[0\]\.destination\.nets\[0\] is IPv4: Calico rejects rules with both IPv4 and IPv6/],
  ['mixed families across source and destination', egress({ action: ALLOW, source: { nets: ['fd00::/8'] }, destination: { notNets: ['10.0.0.0/8'] } }), /destination\.notNets\[0\] "10\.0\.0\.0\/8" is IPv4 but spec\.egress\[0\]\.source\.nets\[0\] is IPv6/],
  ['duplicate net', egress({ action: ALLOW, destination: { nets: ['10.0.0.0/8', '10.0.0.0/8'] } }), /destination\.nets\[1\] "10\.0\.0\.0\/8" is listed more than once/],
  ['too many nets', egress({ action: ALLOW, destination: { nets: Array.from({ length: 257 }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}`) } }), /destination\.nets "257 items" has more than the 256 items/],

  // Selectors and global().
  ['global() in entity selector', egress({ action: ALLOW, destination: { selector: 'global()' } }), /spec\.egress\[0\]\.destination\.selector "global\(\)" uses global\(\)/],
  ['global( in a label value of an entity selector', egress({ action: ALLOW, destination: { selector: 'a == "global()"' } }), /destination\.selector "a == "global\(\)"" uses global\(\)/],
  ['global( in a label value of a policy selector', gnp({ selector: 'a == "global("' }), /spec\.selector "a == "global\("" uses global\(\)/],
  ['global( in a label value of a namespaceSelector', egress({ action: ALLOW, destination: { namespaceSelector: 'a == "global("' } }), /destination\.namespaceSelector "a == "global\("" combines global\(\) with other selectors/],
  ['global() in parentheses as namespaceSelector', egress({ action: ALLOW, destination: { namespaceSelector: '(global())' } }), /destination\.namespaceSelector "\(global\(\)\)" combines global\(\) with other selectors/],
  ['global( in a label value of a pool nodeSelector', pool({ cidr: '10.0.0.0/16', nodeSelector: 'a == "global()"' }), /spec\.nodeSelector "a == "global\(\)"" uses global\(\)/],
  ['global() combined in namespaceSelector', egress({ action: ALLOW, destination: { namespaceSelector: 'global() || has(a)' } }), /destination\.namespaceSelector "global\(\) \|\| has\(a\)" combines global\(\) with other selectors/],
  ['bad namespaceSelector', egress({ action: ALLOW, destination: { namespaceSelector: 'has(' } }), /destination\.namespaceSelector "has\(" is not a valid Calico selector/],
  ['duplicate service account names', egress({ action: ALLOW, destination: { serviceAccounts: { names: ['a', 'a'] } } }), /destination\.serviceAccounts\.names\[1\] "a" is listed more than once/],

  // Services.
  ['services without name', egress({ action: ALLOW, destination: { services: { name: '', namespace: 'n' } } }), /destination\.services\.name "" is required/],
  ['services bad name', egress({ action: ALLOW, destination: { services: { name: 'DB', namespace: 'n' } } }), /destination\.services\.name "DB" is not a valid Kubernetes name/],
  ['services with selector', egress({ action: ALLOW, destination: { services: { name: 'db', namespace: 'n' }, selector: 'a == "b"' } }), /destination\.services "db" cannot be given with selector or notSelector/],
  ['services with namespaceSelector', egress({ action: ALLOW, destination: { services: { name: 'db', namespace: 'n' }, namespaceSelector: 'all()' } }), /destination\.services "db" cannot be given with namespaceSelector/],
  ['services with serviceAccounts', egress({ action: ALLOW, destination: { services: { name: 'db', namespace: 'n' }, serviceAccounts: { names: ['x'] } } }), /destination\.services "db" cannot be given with serviceAccounts/],
  ['services with nets', egress({ action: ALLOW, destination: { services: { name: 'db', namespace: 'n' }, nets: ['10.0.0.0/8'] } }), /destination\.services "db" cannot be given with nets or notNets/],
  ['services with ports', egress({ action: ALLOW, protocol: TCP, destination: { services: { name: 'db', namespace: 'n' }, ports: [CalicoPort.of(5432)] } }), /spec\.egress\[0\]\.destination\.ports .* cannot be given with destination services/],
  ['services in egress source', egress({ action: ALLOW, source: { services: { name: 'db', namespace: 'n' } } }), /spec\.egress\[0\]\.source\.services "db" is not allowed in an egress rule's source/],
  ['services in ingress destination', ingress({ action: ALLOW, destination: { services: { name: 'db', namespace: 'n' } } }), /spec\.ingress\[0\]\.destination\.services "db" is not allowed in an ingress rule's destination/],
  ['GNP services without namespace', egress({ action: ALLOW, destination: { services: { name: 'db' } } }), /spec\.egress\[0\]\.destination\.services\.namespace "" is required in a GlobalNetworkPolicy/],

  // HTTP.
  ['HTTP on Deny', ingress({ action: DENY, http: { methods: ['GET'] } }), /spec\.ingress\[0\]\.http "Deny" is only valid on Allow rules/],
  ['HTTP with UDP', ingress({ action: ALLOW, protocol: CalicoProtocol.UDP, http: { methods: ['GET'] } }), /spec\.ingress\[0\]\.protocol "UDP" must be TCP \(or unset\) in a rule with an HTTP match/],
  ['HTTP with protocol 6', ingress({ action: ALLOW, protocol: CalicoProtocol.of(6), http: { methods: ['GET'] } }), /protocol "6" must be TCP \(or unset\)/],
  ['HTTP in egress', egress({ action: ALLOW, http: { methods: ['GET'] } }), /spec\.egress\[0\]\.http "http" is not allowed in egress rules/],
  ['HTTP duplicate methods', ingress({ action: ALLOW, http: { methods: ['GET', 'GET'] } }), /spec\.ingress\[0\]\.http\.methods\[1\] "GET" is listed more than once/],
  ['HTTP path both', ingress({ action: ALLOW, http: { paths: [{ exact: '/a', prefix: '/b' }] } }), /spec\.ingress\[0\]\.http\.paths\[0\] .* sets both exact and prefix/],
  ['HTTP path neither', withManifestSpec(ingress({ action: ALLOW, http: { paths: [{}] } }), { ingress: [{ action: 'Allow', http: { paths: [{}] } }] }), /http\.paths\[0\] "\{\}" sets neither exact nor prefix/],
  ['HTTP path without slash', ingress({ action: ALLOW, http: { paths: [{ prefix: 'api' }] } }), /http\.paths\[0\] "api" is not a valid path/],
  ['HTTP path with query', ingress({ action: ALLOW, http: { paths: [{ exact: '/a?b' }] } }), /http\.paths\[0\] "\/a\?b" is not a valid path/],

  // Rule metadata.
  ['rule annotation key', egress({ action: DENY, metadata: { annotations: { 'a b': 'x' } } }), /spec\.egress\[0\]\.metadata\.annotations "a b" is not a valid annotation key/],

  // NetworkSet nets.
  ['network set CIDR', gns({ nets: ['10.0.0.0/8', '300.0.0.0/8'] }, { name: 's' }), /spec\.nets\[1\] "300\.0\.0\.0\/8" is not a valid CIDR or IP address \(at c\/S\)/],
  ['network set duplicate', ns({ nets: ['10.0.0.0/8', '10.0.0.0/8'] }, { name: 's', namespace: 'n' }), /spec\.nets\[1\] "10\.0\.0\.0\/8" is listed more than once/],

  // IPPool.
  ['pool CIDR invalid', pool({ cidr: '10.0.0/16' }), /spec\.cidr "10\.0\.0\/16" is not a valid CIDR \(at c\/P\)/],
  ['pool CIDR missing', pool({ cidr: '' }), /spec\.cidr "" is required/],
  ['pool CIDR not masked', pool({ cidr: '10.0.0.1/16' }), /spec\.cidr "10\.0\.0\.1\/16" is not strictly masked/],
  ['pool IPv4 link-local', pool({ cidr: '169.254.10.0/24' }), /spec\.cidr "169\.254\.10\.0\/24" overlaps the IPv4 link-local range 169\.254\.0\.0\/16/],
  ['pool containing link-local', pool({ cidr: '128.0.0.0/1' }), /spec\.cidr "128\.0\.0\.0\/1" overlaps the IPv4 link-local range/],
  ['pool IPv6 link-local', pool({ cidr: 'fe80::/64' }), /spec\.cidr "fe80::\/64" overlaps the IPv6 link-local range fe80::\/10/],
  ['pool v4 block size', pool({ cidr: '10.0.0.0/16', blockSize: 19 }), /spec\.blockSize "19" is not a valid block size for an IPv4 pool \(an integer 20-32\)/],
  ['pool v6 block size', pool({ cidr: 'fd00::/48', blockSize: 64 }), /spec\.blockSize "64" is not a valid block size for an IPv6 pool \(an integer 116-128\)/],
  ['pool smaller than default block', pool({ cidr: '10.0.0.0/28' }), /spec\.cidr "10\.0\.0\.0\/28" is smaller than one block \(\/26\).*hint: use a \/26 or larger pool/],
  ['pool smaller than its block', pool({ cidr: '10.0.0.0/24', blockSize: 23 }), /spec\.cidr "10\.0\.0\.0\/24" is smaller than one block \(\/23\)/],
  ['pool smaller than block 22', pool({ cidr: '10.0.0.0/24', blockSize: 22 }), /spec\.cidr "10\.0\.0\.0\/24" is smaller than one block \(\/22\)/],
  ['IPIP on IPv6', pool({ cidr: 'fd00::/48', ipipMode: CalicoEncapsulationMode.ALWAYS }), /spec\.ipipMode "Always" is not supported on an IPv6 pool/],
  ['IPIP and VXLAN', pool({ cidr: '10.0.0.0/16', ipipMode: CalicoEncapsulationMode.CROSS_SUBNET, vxlanMode: CalicoEncapsulationMode.ALWAYS }), /spec\.ipipMode "CrossSubnet" cannot be enabled together with vxlanMode Always/],
  ['encapsulation value', pool({ cidr: '10.0.0.0/16', vxlanMode: 'always' as CalicoEncapsulationMode }), /spec\.vxlanMode "always" is not one of Never, Always, CrossSubnet/],
  ['allowed use value', pool({ cidr: '10.0.0.0/16', allowedUses: ['Pods' as CalicoIPPoolAllowedUse] }), /spec\.allowedUses\[0\] "Pods" is not one of Workload, Tunnel, LoadBalancer/],
  ['allowed use twice', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD, CalicoIPPoolAllowedUse.WORKLOAD] }), /spec\.allowedUses\[1\] "Workload" is listed more than once/],
  ['LoadBalancer with Workload', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.LOAD_BALANCER, CalicoIPPoolAllowedUse.WORKLOAD] }), /spec\.allowedUses .* cannot combine LoadBalancer with Workload/],
  ['LoadBalancer with VXLAN', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.LOAD_BALANCER], vxlanMode: CalicoEncapsulationMode.ALWAYS }), /spec\.vxlanMode "Always" must be Never in a LoadBalancer pool/],
  ['LoadBalancer with disableBGPExport', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.LOAD_BALANCER], disableBGPExport: true }), /spec\.disableBGPExport "true" must not be true in a LoadBalancer pool/],
  ['LoadBalancer with node selector', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.LOAD_BALANCER], nodeSelector: 'lb == "yes"' }), /spec\.nodeSelector "lb == "yes"" must be all\(\) in a LoadBalancer pool/],
  ['namespaceSelector without allowedUses (Calico defaults them to Workload and Tunnel)', pool({ cidr: '10.0.0.0/16', namespaceSelector: 'a == "b"' }), /spec\.namespaceSelector "a == "b"" needs allowedUses without Tunnel.*hint: set allowedUses: \[CalicoIPPoolAllowedUse\.WORKLOAD\]/],
  ['Tunnel with namespaceSelector', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.TUNNEL], namespaceSelector: 'a == "b"' }), /spec\.namespaceSelector "a == "b"" cannot be set on a pool with allowed use Tunnel/],
  ['global() in nodeSelector', pool({ cidr: '10.0.0.0/16', nodeSelector: 'global()' }), /spec\.nodeSelector "global\(\)" uses global\(\), which is not valid in an IPPool selector/],
  ['global() in pool namespaceSelector', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD], namespaceSelector: '!global()' }), /spec\.namespaceSelector "!global\(\)" uses global\(\)/],
  ['bad pool selector', pool({ cidr: '10.0.0.0/16', nodeSelector: 'a in {' }), /spec\.nodeSelector "a in \{" is not a valid Calico selector/],
  ['pool name', pool({ cidr: '10.0.0.0/16' }, { name: 'Pool_1' }), /metadata\.name "Pool_1" is not a valid IPPool name/],
];

const echoReply = { action: ALLOW, protocol: CalicoProtocol.ICMP, icmp: { type: 0, code: 0 }, ipVersion: 4 };

/** Inputs at the edge of a rule that the constructs accept. */
export const VALID_L1_EDGE_CASES: Array<[string, L1Case]> = [
  ['kubernetes-policy-like NP name', np({}, { name: 'knp.default.a.b', namespace: 'ns' })],
  ['tiered GNP name', gnp({ tier: 'security' }, { name: 'security.egress' })],
  ['default tier spelled out', gnp({ tier: 'default' }, { name: 'default.egress' })],
  ['a Tier with an order', tier({ order: 100 })],
  ['a Tier without an order (applied last)', tier({})],
  ['ICMP echo reply', egress(echoReply)],
  ['global() in an entity notSelector', egress({ action: ALLOW, destination: { notSelector: '!global()' } })],
  ['global() in a service account selector', egress({ action: ALLOW, destination: { serviceAccounts: { selector: 'global()' } } })],
  ['global() namespaceSelector with spaces', egress({ action: ALLOW, destination: { namespaceSelector: ' global( ) ' } })],
  ['SCTP named port', egress({ action: ALLOW, protocol: CalicoProtocol.SCTP, destination: { ports: [CalicoPort.named('sig')] } })],
  ['negative order', gnp({ order: -5 })],
  ['pool as large as its block', pool({ cidr: '10.0.0.0/24', blockSize: 24 })],
  ['Workload pool with namespaceSelector', pool({ cidr: '10.0.0.0/16', allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD], namespaceSelector: 'a == "b"' })],
  ['LoadBalancer pool', pool({ cidr: '10.0.0.0/26', allowedUses: [CalicoIPPoolAllowedUse.LOAD_BALANCER] })],
];
