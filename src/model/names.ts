import { EgressValidationError } from './errors';

// Kubernetes/Calico name formats (validator.go: nameLabelFmt / nameSubdomainFmt).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws unless `name` is a DNS-1123 label (at most 63 characters). */
export function validateDnsLabel(field: string, name: string, path?: string): string {
  if (name.length > 63 || !DNS_LABEL.test(name)) {
    throw new EgressValidationError(field, name, 'is not a DNS-1123 label (at most 63 of a-z, 0-9 and "-", starting and ending with a letter or digit)', path,
      toDnsLabel(name) ? `"${toDnsLabel(name)}"` : undefined);
  }
  return name;
}

/** Throws unless `name` is a DNS-1123 subdomain (at most 253 characters). */
export function validateDnsSubdomain(field: string, name: string, path?: string): string {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new EgressValidationError(field, name, 'is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".")', path,
      toDnsLabel(name) ? `"${toDnsLabel(name)}"` : undefined);
  }
  return name;
}

const SIMPLE_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A construct id turned into a DNS label: lower case, other characters to "-", trimmed to 63. */
export function toDnsLabel(id: string): string {
  if (id.length <= 63 && SIMPLE_LABEL.test(id)) return id; // the common case: the id already is one
  const label = id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  return label.slice(0, 63).replace(/-+$/, '');
}
