import { arrayAt, fail, uniqueAt } from './fail';
import { DNS_LABEL, DNS_SUBDOMAIN, MAX_LABEL_LENGTH, MAX_SUBDOMAIN_LENGTH } from './k8s-names';
import { knownSelector, validateSelectorText } from './selector-text';
import { annotationsPass, validateAnnotations } from './validate-metadata';
import { validateEntityRuleNets } from './validate-nets';
import { CalicoAction, CalicoPerformanceHint, CalicoPolicyType } from '../calico-enums';
import { CalicoGlobalNetworkPolicySpec } from '../calico-policy-spec';
import { CalicoPort } from '../calico-port';
import { CalicoProtocol } from '../calico-protocol';
import { CalicoEntityRule, CalicoIcmpFields, CalicoRule } from '../calico-rule';
import { recordSealedChecks, sealedChecks } from '../sealed-rules';

const GLOBAL_ONLY_IN_NAMESPACE_SELECTOR = 'uses global(), which Calico allows only as an entity rule\'s namespaceSelector';
const PORTS_NEED_PROTOCOL = 'needs the rule\'s protocol to be TCP, UDP or SCTP (Calico: rules that specify ports must set protocol to TCP or UDP or SCTP)';
// Validation runs over every rule of every policy an estate renders (170,000 rules at 5,000 zones): the happy
// path allocates nothing. Field names like "spec.egress[3].destination.nets" are built only to fail (a rule is
// passed as its list and index), and a cheap test stands in front of each check whose code explains a failure.
const ACTIONS = Object.values(CalicoAction) as string[];
const POLICY_TYPES = Object.values(CalicoPolicyType) as string[];
const PERFORMANCE_HINTS = Object.values(CalicoPerformanceHint) as string[];

/** Which Calico kind a spec belongs to: rules differ slightly between them. */
export interface PolicyContext {
  readonly global: boolean;
  readonly path: string;
}

/**
 * Calico's checks of a (Global)NetworkPolicy spec: validateNetworkPolicySpec /
 * validateGlobalNetworkPolicySpec, validateRule, validateEntityRule, validateICMPFields,
 * validateHTTPRule, the field tags of the v3 API and the CRDs' CEL rules.
 */
export function validatePolicySpec(spec: CalicoGlobalNetworkPolicySpec, ctx: PolicyContext): void {
  const path = ctx.path;
  if (spec === undefined || spec === null || typeof spec !== 'object') fail(path, 'spec', spec, 'is required');
  if (spec.tier !== undefined && spec.tier !== '') {
    if (typeof spec.tier !== 'string' || spec.tier.length > MAX_LABEL_LENGTH || !DNS_LABEL.test(spec.tier)) {
      fail(path, 'spec.tier', spec.tier, 'is not a valid tier name (a DNS-1123 label: at most 63 of a-z, 0-9 and "-", no ".")');
    }
  }
  if (spec.order !== undefined && (typeof spec.order !== 'number' || !Number.isFinite(spec.order))) {
    fail(path, 'spec.order', spec.order, 'is not a finite number');
  }
  noGlobal(spec.selector, 'spec.selector', path);
  noGlobal(spec.serviceAccountSelector, 'spec.serviceAccountSelector', path);
  if (ctx.global) {noGlobal(spec.namespaceSelector, 'spec.namespaceSelector', path);} else if ((spec as any).namespaceSelector !== undefined) {
    fail(path, 'spec.namespaceSelector', (spec as any).namespaceSelector, 'is not a field of a namespaced NetworkPolicy', 'use a GlobalNetworkPolicy');
  }

  const types = arrayAt(path, 'spec.types', spec.types, 2);
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) fail(path, `spec.types[${i}]`, t, `is not a policy type (${POLICY_TYPES.join(' or ')})`);
  });
  uniqueAt(path, 'spec.types', types);

  const hints = arrayAt(path, 'spec.performanceHints', spec.performanceHints);
  hints.forEach((h, i) => {
    if (!PERFORMANCE_HINTS.includes(h)) fail(path, `spec.performanceHints[${i}]`, h, `is not a performance hint Calico knows (${PERFORMANCE_HINTS.join(', ')})`);
  });
  uniqueAt(path, 'spec.performanceHints', hints);

  const ingress = arrayAt(path, 'spec.ingress', spec.ingress, 1024);
  const egress = arrayAt(path, 'spec.egress', spec.egress, 1024);
  for (let i = 0; i < ingress.length; i++) validateRuleOnce(ingress[i], 'spec.ingress', i, ctx);
  for (let i = 0; i < egress.length; i++) validateRuleOnce(egress[i], 'spec.egress', i, ctx);

  if (ctx.global) validateGlobalFlags(spec, types, egress, path);
}

function validateGlobalFlags(spec: CalicoGlobalNetworkPolicySpec, types: string[], egress: CalicoRule[], path: string): void {
  for (const flag of ['doNotTrack', 'preDNAT', 'applyOnForward'] as const) {
    if (spec[flag] !== undefined && typeof spec[flag] !== 'boolean') fail(path, `spec.${flag}`, spec[flag], 'is not a boolean');
  }
  if (spec.doNotTrack && spec.preDNAT) fail(path, 'spec.preDNAT', true, 'cannot be true together with doNotTrack');
  if (spec.preDNAT && egress.length > 0) fail(path, 'spec.egress', `${egress.length} rules`, 'is not allowed in a preDNAT policy (preDNAT policies have no egress rules)');
  if (spec.preDNAT && types.includes(CalicoPolicyType.EGRESS)) fail(path, 'spec.types', types, 'cannot include Egress in a preDNAT policy');
  if ((spec.doNotTrack || spec.preDNAT) && !spec.applyOnForward) {
    fail(path, 'spec.applyOnForward', spec.applyOnForward ?? false, 'must be true when preDNAT or doNotTrack is true');
  }
}

// Calico's global() checks are textual, not on the parsed selector: the validator and the CRDs' CEL rules look for
// "global(" anywhere in the text (inside a quoted label value too), and an entity rule's namespaceSelector that
// contains it must tokenize as global() alone ("(global())" does not). Calico's answer is what counts here.
const GLOBAL_CALL = 'global(';
const GLOBAL_ALONE = /^\s*global\(\s*\)\s*$/;

function noGlobal(text: string | undefined, field: string, path: string): void {
  if (text === undefined) return;
  validateSelectorText(text, field, path);
  if (text.includes(GLOBAL_CALL)) fail(path, field, text, GLOBAL_ONLY_IN_NAMESPACE_SELECTOR);
}

/** The rules of a policy: `spec.ingress` or `spec.egress`. */
type RuleList = 'spec.ingress' | 'spec.egress';

/** The field name of rule `i` of `list`, or of a field inside it ("spec.egress[3].destination.nets"). */
function ruleField(list: RuleList, i: number, rest = ''): string {
  return `${list}[${i}]${rest}`;
}

/**
 * The check a rule passes depends, besides the rule, on the kind of policy and the direction: one bit each
 * (namespaced ingress, namespaced egress, global ingress, global egress), recorded on sealed rules.
 */
const CHECK_BITS = [1, 2, 4, 8];

/** Checks a rule; a sealed rule (it cannot change) only the first time for each kind of policy and direction. */
function validateRuleOnce(rule: CalicoRule, list: RuleList, i: number, ctx: PolicyContext): void {
  const bit = CHECK_BITS[(ctx.global ? 2 : 0) + (list === 'spec.egress' ? 1 : 0)];
  const passed = sealedChecks(rule);
  // eslint-disable-next-line no-bitwise
  if (passed !== undefined && (passed & bit) !== 0) return;
  validateRule(rule, list, i, ctx);
  // eslint-disable-next-line no-bitwise
  if (passed !== undefined) recordSealedChecks(rule, passed | bit);
}

function validateRule(rule: CalicoRule, list: RuleList, i: number, ctx: PolicyContext): void {
  const path = ctx.path;
  const direction = list === 'spec.egress' ? 'egress' : 'ingress';
  if (rule === undefined || rule === null || typeof rule !== 'object') fail(path, ruleField(list, i), rule, 'is not a rule');
  if (!ACTIONS.includes(rule.action)) fail(path, ruleField(list, i, '.action'), rule.action ?? '', `is not a Calico action (${ACTIONS.join(', ')})`);
  if (rule.ipVersion !== undefined && rule.ipVersion !== 4 && rule.ipVersion !== 6) {
    fail(path, ruleField(list, i, '.ipVersion'), rule.ipVersion, 'is not an IP version (4 or 6)');
  }
  for (const key of ['protocol', 'notProtocol'] as const) {
    const p = rule[key];
    if (p === undefined) continue;
    if (!(p instanceof CalicoProtocol)) fail(path, ruleField(list, i, `.${key}`), p, 'is not a CalicoProtocol', 'use CalicoProtocol.TCP, CalicoProtocol.of(n) or CalicoProtocol.parse(text)');
    const implied = p.impliedIpVersion;
    if (implied && rule.ipVersion !== undefined && rule.ipVersion !== implied) {
      fail(path, ruleField(list, i, '.ipVersion'), rule.ipVersion, `must be ${implied} with ${key} ${p.toString()}`);
    }
  }
  if (rule.icmp !== undefined) validateIcmp(rule.icmp, ruleField(list, i, '.icmp'), path);
  if (rule.notICMP !== undefined) validateIcmp(rule.notICMP, ruleField(list, i, '.notICMP'), path);
  if (rule.icmp !== undefined && !(rule.protocol?.isIcmpByName)) {
    fail(path, ruleField(list, i, '.icmp'), rule.icmp, 'needs the rule\'s protocol to be ICMP or ICMPv6',
      rule.protocol?.impliedIpVersion ? 'Calico requires the protocol by name: use CalicoProtocol.ICMP or CalicoProtocol.ICMPV6' : undefined);
  }

  const source: CalicoEntityRule = rule.source ?? NO_ENTITY;
  const destination: CalicoEntityRule = rule.destination ?? NO_ENTITY;
  if (rule.source !== undefined) validateEntityRule(source, list, i, '.source', path);
  if (rule.destination !== undefined) validateEntityRule(destination, list, i, '.destination', path);

  if (!rule.protocol?.supportsPorts && hasAny(source.ports, source.notPorts, destination.ports, destination.notPorts)) {
    for (const [side, er] of [['source', source], ['destination', destination]] as const) {
      for (const key of ['ports', 'notPorts'] as const) {
        if ((er[key] ?? []).length > 0) fail(path, ruleField(list, i, `.${side}.${key}`), er[key]!.map(p => p.toString()), PORTS_NEED_PROTOCOL);
      }
    }
  }

  if (hasAny(source.nets, source.notNets, destination.nets, destination.notNets)) {
    validateEntityRuleNets([source.nets, source.notNets, destination.nets, destination.notNets],
      k => ruleField(list, i, NET_FIELDS[k]), rule.ipVersion, path);
  }

  if (rule.http !== undefined) validateHttp(rule, ruleField(list, i), direction, path);

  if (destination.services !== undefined) {
    for (const key of ['ports', 'notPorts'] as const) {
      if ((destination[key] ?? []).length > 0) {
        fail(path, ruleField(list, i, `.destination.${key}`), destination[key]!.map(p => p.toString()), 'cannot be given with destination services (a Service rule uses the ports of the Service\'s endpoints)');
      }
    }
  }
  if (direction === 'egress' && source.services !== undefined) {
    fail(path, ruleField(list, i, '.source.services'), source.services.name, 'is not allowed in an egress rule\'s source');
  }
  if (direction === 'ingress' && destination.services !== undefined) {
    fail(path, ruleField(list, i, '.destination.services'), destination.services.name, 'is not allowed in an ingress rule\'s destination');
  }
  if (ctx.global) {
    const peer = direction === 'egress' ? destination : source;
    const side = direction === 'egress' ? 'destination' : 'source';
    if (peer.services !== undefined && !peer.services.namespace) {
      fail(path, ruleField(list, i, `.${side}.services.namespace`), '', 'is required in a GlobalNetworkPolicy (a Service name is not unique across namespaces)');
    }
  }
  if (rule.metadata !== undefined && !annotationsPass(rule.metadata.annotations)) {
    validateAnnotations(rule.metadata.annotations, ruleField(list, i, '.metadata.annotations'), path);
  }
}

function validateIcmp(icmp: CalicoIcmpFields | undefined, field: string, path: string): void {
  if (icmp === undefined) return;
  if (icmp.type !== undefined && (!Number.isInteger(icmp.type) || icmp.type < 0 || icmp.type > 254)) {
    fail(path, `${field}.type`, icmp.type, 'is not an ICMP type Calico accepts (an integer 0-254)');
  }
  if (icmp.code !== undefined && (!Number.isInteger(icmp.code) || icmp.code < 0 || icmp.code > 255)) {
    fail(path, `${field}.code`, icmp.code, 'is not an ICMP code Calico accepts (an integer 0-255)');
  }
  if (icmp.code !== undefined && icmp.type === undefined) {
    fail(path, `${field}.code`, icmp.code, 'needs an ICMP type with it (a kernel limitation Calico enforces)');
  }
}

function validateHttp(rule: CalicoRule, field: string, direction: string, path: string): void {
  const http = rule.http!;
  if (rule.action !== CalicoAction.ALLOW) fail(path, `${field}.http`, rule.action, 'is only valid on Allow rules');
  if (rule.protocol !== undefined && !rule.protocol.isTcpByName) {
    fail(path, `${field}.protocol`, rule.protocol.toString(), 'must be TCP (or unset) in a rule with an HTTP match');
  }
  if (direction === 'egress') fail(path, `${field}.http`, 'http', 'is not allowed in egress rules (Calico applies HTTP matches to ingress only)');
  const methods = arrayAt(path, `${field}.http.methods`, http.methods, 20);
  uniqueAt(path, `${field}.http.methods`, methods);
  arrayAt(path, `${field}.http.paths`, http.paths, 20).forEach((p, i) => {
    const f = `${field}.http.paths[${i}]`;
    if (p.exact && p.prefix) fail(path, f, p, 'sets both exact and prefix (give one)');
    const value = p.exact || p.prefix;
    if (!value) fail(path, f, p, 'sets neither exact nor prefix');
    if (value.length > 1024) fail(path, f, `${value.slice(0, 40)}...`, 'is longer than 1024 characters');
    if (!value.startsWith('/') || /[? #]/.test(value)) fail(path, f, value, 'is not a valid path (must start with "/" and not contain "?", "#" or spaces)');
  });
}

/** Checks the entity rule `side` (".source" or ".destination") of rule `i` of `list`. */
function validateEntityRule(er: CalicoEntityRule, list: RuleList, i: number, side: string, path: string): void {
  if (typeof er !== 'object' || er === null) fail(path, ruleField(list, i, side), er, 'is not an entity rule');
  if (!listWithin(er.nets, 256)) arrayAt(path, ruleField(list, i, `${side}.nets`), er.nets, 256);
  if (!listWithin(er.notNets, 256)) arrayAt(path, ruleField(list, i, `${side}.notNets`), er.notNets, 256);
  if (er.selector !== undefined) {
    if (!knownSelector(er.selector)) validateSelectorText(er.selector, ruleField(list, i, `${side}.selector`), path);
    if (er.selector.includes(GLOBAL_CALL)) fail(path, ruleField(list, i, `${side}.selector`), er.selector, GLOBAL_ONLY_IN_NAMESPACE_SELECTOR);
  }
  // Calico checks global() in an entity's selector only, not in its notSelector or serviceAccounts.selector.
  if (er.notSelector !== undefined && !knownSelector(er.notSelector)) {
    validateSelectorText(er.notSelector, ruleField(list, i, `${side}.notSelector`), path);
  }
  if (er.namespaceSelector !== undefined) {
    if (!knownSelector(er.namespaceSelector)) validateSelectorText(er.namespaceSelector, ruleField(list, i, `${side}.namespaceSelector`), path);
    if (er.namespaceSelector.includes(GLOBAL_CALL) && !GLOBAL_ALONE.test(er.namespaceSelector)) {
      fail(path, ruleField(list, i, `${side}.namespaceSelector`), er.namespaceSelector, 'combines global() with other selectors (Calico allows global() only on its own)');
    }
  }
  for (const key of PORT_FIELDS) {
    const ports = er[key];
    if (ports === undefined) continue;
    if (!listWithin(ports, 50)) arrayAt(path, ruleField(list, i, `${side}.${key}`), ports, 50);
    for (let k = 0; k < ports.length; k++) {
      if (!(ports[k] instanceof CalicoPort)) {
        fail(path, ruleField(list, i, `${side}.${key}[${k}]`), ports[k], 'is not a CalicoPort',
          'use CalicoPort.of(443), CalicoPort.range(8000, 8080), CalicoPort.named("http") or CalicoPort.parse(text)');
      }
    }
  }
  if (er.serviceAccounts !== undefined) {
    const names = arrayAt(path, ruleField(list, i, `${side}.serviceAccounts.names`), er.serviceAccounts.names);
    uniqueAt(path, ruleField(list, i, `${side}.serviceAccounts.names`), names);
    if (er.serviceAccounts.selector !== undefined) validateSelectorText(er.serviceAccounts.selector, ruleField(list, i, `${side}.serviceAccounts.selector`), path);
  }
  const svc = er.services;
  if (svc === undefined) return;
  if (!svc.name) fail(path, ruleField(list, i, `${side}.services.name`), '', 'is required (a Service match must name the Service)');
  for (const key of ['name', 'namespace'] as const) {
    const v = svc[key];
    if (v !== undefined && v !== '' && (v.length > MAX_SUBDOMAIN_LENGTH || !DNS_SUBDOMAIN.test(v))) {
      fail(path, ruleField(list, i, `${side}.services.${key}`), v, 'is not a valid Kubernetes name (a DNS-1123 subdomain)');
    }
  }
  if (er.namespaceSelector) fail(path, ruleField(list, i, `${side}.services`), svc.name, 'cannot be given with namespaceSelector in the same entity rule');
  if (er.selector || er.notSelector) fail(path, ruleField(list, i, `${side}.services`), svc.name, 'cannot be given with selector or notSelector in the same entity rule');
  if (er.serviceAccounts !== undefined) fail(path, ruleField(list, i, `${side}.services`), svc.name, 'cannot be given with serviceAccounts in the same entity rule');
  if ((er.nets ?? []).length > 0 || (er.notNets ?? []).length > 0) fail(path, ruleField(list, i, `${side}.services`), svc.name, 'cannot be given with nets or notNets in the same entity rule');
}

const NO_ENTITY: CalicoEntityRule = Object.freeze({});
const PORT_FIELDS = ['ports', 'notPorts'] as const;
const NET_FIELDS = ['.source.nets', '.source.notNets', '.destination.nets', '.destination.notNets'];

/** Whether `value` is absent or a list of at most `max` items (what arrayAt accepts without failing). */
function listWithin(value: readonly unknown[] | undefined, max: number): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length <= max);
}

function hasAny(...lists: (readonly unknown[] | undefined)[]): boolean {
  for (const l of lists) if (l !== undefined && l !== null && (l as unknown[]).length !== 0) return true;
  return false;
}
