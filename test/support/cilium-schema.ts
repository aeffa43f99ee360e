/**
 * Validates objects against the Cilium CRDs in `<repo>/../shared/reference/cilium/crds` with ajv: the
 * OpenAPI v3 structural schema of the cilium.io/v2 version, unknown fields reported as errors (the API
 * server would prune them, which for generated manifests means a field is silently lost). Also checks
 * that namespaced kinds have a namespace and cluster-scoped kinds have none.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as ipaddr from 'ipaddr.js';
import * as YAML from 'yaml';
import { describeWithReference } from './reference-data';

/** Where the CRDs live: beside the repository, in the shared reference folder. */
export const CILIUM_CRD_DIR = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'cilium', 'crds');

/** Whether the CRD folder is there. */
export function ciliumCrdsPresent(): boolean {
  return fs.existsSync(CILIUM_CRD_DIR);
}

/** `describe` that needs the Cilium CRDs: skips with a message without them, fails when `CI` is set. */
export function describeWithCiliumCrds(name: string, fn: () => void): void {
  describeWithReference('Cilium CRDs', CILIUM_CRD_DIR, name, fn);
}

interface LoadedCrd {
  readonly namespaced: boolean;
  readonly validate: ValidateFunction;
}

let loaded: Map<string, LoadedCrd> | undefined;

/**
 * Validates one manifest object (apiVersion cilium.io/v2) against its CRD.
 * @returns the problems, each "<json path>: <message>"; empty when valid
 */
export function validateAgainstCiliumCrd(obj: any): string[] {
  if (obj?.apiVersion !== 'cilium.io/v2') return [`apiVersion: "${obj?.apiVersion}" is not cilium.io/v2`];
  const crd = load().get(obj.kind);
  if (!crd) return [`kind: no Cilium v2 CRD for kind "${obj.kind}" in ${CILIUM_CRD_DIR}`];
  const errors: string[] = [];
  if (!crd.validate(JSON.parse(JSON.stringify(obj)))) {
    for (const e of crd.validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as any).additionalProperty}"` : '';
      errors.push(`${e.instancePath || '(root)'}: ${e.message}${extra}`);
    }
  }
  const ns = obj.metadata?.namespace;
  if (crd.namespaced && !ns) errors.push(`metadata.namespace: required for namespaced kind ${obj.kind}`);
  if (!crd.namespaced && ns !== undefined) errors.push(`metadata.namespace: set on cluster-scoped kind ${obj.kind}`);
  return errors;
}

function load(): Map<string, LoadedCrd> {
  if (loaded) return loaded;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('cidr', { type: 'string', validate: (s: string) => isCidr(s) });
  ajv.addFormat('ipv4', { type: 'string', validate: (s: string) => ipaddr.IPv4.isValidFourPartDecimal(s) });
  ajv.addFormat('ip', { type: 'string', validate: (s: string) => ipaddr.isValid(s) });
  for (const f of ['int32', 'int64', 'date-time', 'byte', 'double', 'float', 'uri', 'idn-hostname']) ajv.addFormat(f, true);
  const out = new Map<string, LoadedCrd>();
  for (const file of fs.readdirSync(CILIUM_CRD_DIR).filter(f => /\.ya?ml$/.test(f)).sort()) {
    const crd = YAML.parse(fs.readFileSync(path.join(CILIUM_CRD_DIR, file), 'utf8'));
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const version = (crd.spec.versions ?? []).find((v: any) => v.name === 'v2');
    if (!version) continue;
    const schema = toJsonSchema(version.schema.openAPIV3Schema);
    schema.properties.metadata = OBJECT_META;
    // status is written by Cilium, never by us.
    delete schema.properties.status;
    out.set(crd.spec.names.kind, { namespaced: crd.spec.scope === 'Namespaced', validate: ajv.compile(schema) });
  }
  loaded = out;
  return out;
}

export const OBJECT_META = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', maxLength: 253 },
    namespace: { type: 'string', minLength: 1, maxLength: 63 },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

/** Kubernetes' structural schema to JSON Schema: drop descriptions and x-kubernetes-*, close typed objects. */
export function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as any).map(([k, v]) => [k, toJsonSchema(v)]));
      continue;
    }
    out[key] = toJsonSchema(value);
  }
  // Only objects with a declared type are closed: oneOf branches ({properties: {cidr: {}}, required}) must not be.
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const v4 = !m[1].includes(':');
  if (v4 ? !ipaddr.IPv4.isValidFourPartDecimal(m[1]) : !ipaddr.IPv6.isValid(m[1])) return false;
  return Number(m[2]) <= (v4 ? 32 : 128);
}
