import { BoundedMemo } from '../../model/bounded-memo';
// Name formats Calico checks (libcalico-go validator.go and Kubernetes' apimachinery validation).

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;

/** DNS-1123 label (tier names, namespaces). */
export const DNS_LABEL = new RegExp(`^${LABEL}$`);
/** DNS-1123 subdomain (most resource names). */
export const DNS_SUBDOMAIN = new RegExp(`^${SUBDOMAIN}$`);
/** NetworkPolicy names: a label, label.label, or a knp.default./ossg.default. subdomain. */
export const NETWORK_POLICY_NAME = new RegExp(`^((${LABEL})(\\.${LABEL})?|((?:knp|ossg)\\.default\\.(${SUBDOMAIN})))$`);
/** GlobalNetworkPolicy names: a label, or label.label. */
export const GLOBAL_NETWORK_POLICY_NAME = new RegExp(`^(${LABEL}\\.)?${LABEL}$`);

export const MAX_SUBDOMAIN_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

// The same few keys (egress.cdk8s.io/rule, app.kubernetes.io/name, ...) are checked on every object and rule.
const QUALIFIED_NAMES = new BoundedMemo<string, true>(4096);

/** Whether `key` was already found a valid qualified name (no check is run: a false answer says nothing). */
export function knownQualifiedName(key: string): boolean {
  return QUALIFIED_NAMES.get(key) === true;
}

/** Why `key` is not a Kubernetes qualified name (label or annotation key), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  if (QUALIFIED_NAMES.get(key)) return undefined;
  const problem = qualifiedNameProblemOf(key);
  if (problem === undefined) QUALIFIED_NAMES.set(key, true);
  return problem;
}

function qualifiedNameProblemOf(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a qualified name has at most one "/"';
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) return 'the prefix before "/" must not be empty';
    if (prefix.length > MAX_SUBDOMAIN_LENGTH || !DNS_SUBDOMAIN.test(prefix)) return 'the prefix before "/" must be a DNS-1123 subdomain';
  }
  if (name.length === 0) return 'the name part must not be empty';
  if (name.length > 63) return 'the name part must be at most 63 characters';
  if (!QUALIFIED_NAME_PART.test(name)) return 'the name part must be alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
  return undefined;
}

/** Why `value` is not a Kubernetes label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 63) return 'must be at most 63 characters';
  if (value.length > 0 && !QUALIFIED_NAME_PART.test(value)) return 'must be empty or alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
  return undefined;
}
