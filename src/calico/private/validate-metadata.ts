import { fail } from './fail';
import { DNS_LABEL, DNS_SUBDOMAIN, knownQualifiedName, labelValueProblem, MAX_LABEL_LENGTH, MAX_SUBDOMAIN_LENGTH, qualifiedNameProblem } from './k8s-names';

/** Calico's limit on the total size of an object's (or rule's) annotations. */
const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

/** Metadata as rendered, enough for Calico's ObjectMeta checks. */
export interface RenderedMetadata {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

/** Kind-specific metadata rules. */
export interface MetadataRules {
  readonly kind: string;
  /** Name pattern beyond the DNS-1123 subdomain every name must match. */
  readonly namePattern: RegExp;
  readonly nameRule: string;
  /** Namespaced kinds need a namespace; cluster-scoped kinds must not be given one. */
  readonly namespaced: boolean;
  /** The namespace the user set explicitly in props (cluster-scoped kinds reject it). */
  readonly explicitNamespace?: string;
}

/** Calico's validateObjectMeta plus the namespace rules of the kind. */
export function validateMetadata(meta: RenderedMetadata, rules: MetadataRules, path: string): void {
  const name = meta.name ?? '';
  if (name.length > MAX_SUBDOMAIN_LENGTH) {
    fail(path, 'metadata.name', name, `is too long by ${name.length - MAX_SUBDOMAIN_LENGTH} characters (Calico allows ${MAX_SUBDOMAIN_LENGTH})`);
  }
  if (!DNS_SUBDOMAIN.test(name) || !rules.namePattern.test(name)) {
    fail(path, 'metadata.name', name, `is not a valid ${rules.kind} name: ${rules.nameRule}`);
  }
  if (rules.namespaced) {
    const ns = meta.namespace;
    if (ns === undefined || ns === '') {
      fail(path, 'metadata.namespace', '', `is required: a ${rules.kind} is namespaced`, 'set metadata.namespace, or the chart\'s namespace');
    }
    if (ns.length > MAX_LABEL_LENGTH || !DNS_LABEL.test(ns)) {
      fail(path, 'metadata.namespace', ns, 'is not a valid namespace name (a DNS-1123 label of at most 63 characters)');
    }
  } else if (rules.explicitNamespace !== undefined) {
    fail(path, 'metadata.namespace', rules.explicitNamespace, `is not allowed: a ${rules.kind} is cluster-scoped`);
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) fail(path, 'metadata.labels', key, `is not a valid label key: ${keyProblem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) fail(path, `metadata.labels["${key}"]`, value, `is not a valid label value: ${valueProblem}`);
  }
  validateAnnotations(meta.annotations, 'metadata.annotations', path);
}

/**
 * Whether annotations certainly pass validateAnnotations, without building anything: every key already known
 * as a valid qualified name (in lower case), every value a string, and the total under the limit even at 3
 * bytes per UTF-16 unit. A false answer is not a failure: validateAnnotations then decides and explains.
 */
export function annotationsPass(annotations: { [key: string]: string } | undefined): boolean {
  if (annotations === undefined || annotations === null) return true;
  let units = 0;
  for (const key in annotations) {
    if (!Object.prototype.hasOwnProperty.call(annotations, key)) continue;
    const value = annotations[key];
    if (typeof value !== 'string' || !knownQualifiedName(key)) return false;
    units += key.length + value.length;
  }
  return units * 3 <= ANNOTATIONS_LIMIT_BYTES;
}

/** Calico's validateObjectMetaAnnotations: qualified keys (checked in lower case) and a 256 KiB total. */
export function validateAnnotations(annotations: { [key: string]: string } | undefined, field: string, path: string): void {
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem) fail(path, field, key, `is not a valid annotation key: ${problem}`);
    if (typeof value !== 'string') fail(path, `${field}["${key}"]`, value, 'is not a string');
    total += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (total > ANNOTATIONS_LIMIT_BYTES) {
    fail(path, field, `${total} bytes`, `are too large by ${total - ANNOTATIONS_LIMIT_BYTES} bytes (Calico allows 256 KiB in total)`);
  }
}
