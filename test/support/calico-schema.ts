/**
 * Validates objects against the Calico v3 CRDs in `<repo>/../shared/reference/calico/crds/v3`:
 * the OpenAPI v3 structural schema (with ajv) and the CRDs' x-kubernetes-validations CEL rules
 * (with @bufbuild/cel, plus the Kubernetes CIDR functions the IPPool rules use).
 *
 * Differences from the API server, on purpose: unknown fields are errors (the server would prune
 * them silently, which for us means a field we emitted is lost), and CEL rules that compare with
 * the stored object (`oldSelf`, transition rules) are skipped since there is no stored object.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CelScalar, celFunc, celMethod, isCelError, run } from '@bufbuild/cel';
import Ajv, { ValidateFunction } from 'ajv';
import * as ipaddr from 'ipaddr.js';
import * as YAML from 'yaml';
import { describeWithReference } from './reference-data';

/** Where the CRDs live: beside the repository, in the shared reference folder. */
export const CALICO_CRD_DIR = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'calico', 'crds', 'v3');

/** Whether the CRD folder is there. */
export function calicoCrdsPresent(): boolean {
  return fs.existsSync(CALICO_CRD_DIR);
}

/** `describe` that needs the Calico CRDs: skips with a message without them, fails when `CI` is set. */
export function describeWithCalicoCrds(name: string, fn: () => void): void {
  describeWithReference('Calico CRDs', CALICO_CRD_DIR, name, fn);
}

interface LoadedCrd {
  readonly kind: string;
  readonly namespaced: boolean;
  /** The version's openAPIV3Schema as written in the CRD (for the CEL walk). */
  readonly schema: any;
  readonly validate: ValidateFunction;
}

let loaded: Map<string, LoadedCrd> | undefined;

/** Kinds of the CRDs found (e.g. "NetworkPolicy", "IPPool"). */
export function calicoCrdKinds(): string[] {
  return [...load().keys()].sort();
}

/**
 * Validates one manifest object (apiVersion projectcalico.org/v3) against its CRD.
 * @returns the problems found, each "<json path>: <message>"; empty when the object is valid
 */
export function validateAgainstCalicoCrd(obj: any): string[] {
  if (obj?.apiVersion !== 'projectcalico.org/v3') return [`apiVersion: "${obj?.apiVersion}" is not projectcalico.org/v3`];
  const crd = load().get(obj.kind);
  if (!crd) return [`kind: no Calico v3 CRD for kind "${obj.kind}" in ${CALICO_CRD_DIR}`];

  const errors: string[] = [];
  // Validate a copy: ajv fills in the schema defaults there, as the API server does before CEL runs.
  const copy = JSON.parse(JSON.stringify(obj));
  if (!crd.validate(copy)) {
    for (const e of crd.validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as any).additionalProperty}"` : '';
      errors.push(`${jsonPath(e.instancePath)}: ${e.message}${extra}`);
    }
  }
  const namespace = obj.metadata?.namespace;
  if (crd.namespaced && !namespace) errors.push(`metadata.namespace: required for namespaced kind ${crd.kind}`);
  if (!crd.namespaced && namespace !== undefined) errors.push(`metadata.namespace: set on cluster-scoped kind ${crd.kind}`);
  if (errors.length === 0) evaluateCel(crd.schema, copy, '', errors);
  return errors;
}

function jsonPath(instancePath: string): string {
  if (!instancePath) return '(root)';
  return instancePath.slice(1).split('/').map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`)).join('');
}

function load(): Map<string, LoadedCrd> {
  if (loaded) return loaded;
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, code: { regExp: goRegExp as any } });
  ajv.addFormat('cidr', { type: 'string', validate: (s: string) => parseCidr(s) !== undefined });
  for (const f of ['int32', 'int64', 'date-time', 'byte', 'double', 'float']) ajv.addFormat(f, true);
  const out = new Map<string, LoadedCrd>();
  const texts = fs.readdirSync(CALICO_CRD_DIR).filter(f => /\.ya?ml$/.test(f)).sort().map(f => fs.readFileSync(path.join(CALICO_CRD_DIR, f), 'utf8'));
  for (const crd of [...texts.map(t => YAML.parse(t)), ...extraCrds()]) {
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const version = (crd.spec.versions ?? []).find((v: any) => v.name === 'v3');
    if (!version) continue;
    const schema = version.schema.openAPIV3Schema;
    const jsonSchema = toJsonSchema(schema, true);
    out.set(crd.spec.names.kind, {
      kind: crd.spec.names.kind,
      namespaced: crd.spec.scope === 'Namespaced',
      schema,
      validate: ajv.compile(jsonSchema),
    });
  }
  loaded = out;
  return out;
}

/**
 * CRDs the v3 folder lacks but the same Calico release's manifest has: the Tier (policies outside the default
 * tier need one) and the staged policies (what a staged zone writes). Read from `manifests/v3_projectcalico_org.yaml`, the v3 CRDs as the operator installs them.
 */
export const CALICO_MANIFEST = path.join(CALICO_CRD_DIR, '..', '..', 'manifests', 'v3_projectcalico_org.yaml');
const EXTRA_CRDS = ['tiers.projectcalico.org', 'stagedglobalnetworkpolicies.projectcalico.org', 'stagednetworkpolicies.projectcalico.org',
  'stagedkubernetesnetworkpolicies.projectcalico.org'];
function extraCrds(): any[] {
  if (!fs.existsSync(CALICO_MANIFEST)) return [];
  // the manifest is large: parse only the documents that define the CRDs wanted
  return fs.readFileSync(CALICO_MANIFEST, 'utf8').split(/^---$/m)
    .filter(doc => EXTRA_CRDS.some(name => doc.includes(`name: ${name}\n`)))
    .map(doc => YAML.parse(doc))
    .filter(doc => doc?.kind === 'CustomResourceDefinition' && EXTRA_CRDS.includes(doc.metadata?.name));
}

/** The CRDs' patterns are Go RE2; the only RE2 syntax in them JS lacks is a leading `(?i)`. */
function goRegExp(pattern: string, flags: string): RegExp {
  return pattern.includes('(?i)') ? new RegExp(pattern.replace('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags);
}

/** Enough of ObjectMeta to catch mistakes in what we emit (the CRDs only say `type: object`). */
const OBJECT_META = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253 },
    namespace: { type: 'string', minLength: 1, maxLength: 63 },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

/** OpenAPI v3 structural schema (Kubernetes dialect) to JSON Schema for ajv. */
function toJsonSchema(node: any, root = false): any {
  if (Array.isArray(node)) return node.map(n => toJsonSchema(n));
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'x-kubernetes-validations') continue;
    if (key === 'x-kubernetes-list-type') {
      if (value === 'set') out.uniqueItems = true;
      continue;
    }
    if (key === 'x-kubernetes-int-or-string') {
      // The CRDs already spell it as anyOf [integer, string]; make sure, for hand-written schemas.
      out.anyOf ??= [{ type: 'integer' }, { type: 'string' }];
      continue;
    }
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as any).map(([k, v]) => [k, toJsonSchema(v)]));
      continue;
    }
    out[key] = toJsonSchema(value);
  }
  if (root && out.properties?.metadata) out.properties.metadata = OBJECT_META;
  // Unknown fields: the API server would prune them; for generated manifests that is a bug to report.
  if (out.properties && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  // `pattern` beside anyOf [integer, string] must not reject integers: JSON Schema applies it to strings only.
  return out;
}

/** Walks the schema with the value and evaluates every x-kubernetes-validations rule that has no oldSelf. */
function evaluateCel(schema: any, value: any, at: string, errors: string[]): void {
  if (value === undefined || value === null || !schema) return;
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(v.rule)) continue;
    const result = run(v.rule, { self: toCel(value, schema) }, { funcs: K8S_CIDR_FUNCS });
    if (isCelError(result)) {
      errors.push(`${at || '(root)'}: CEL rule could not be evaluated (${result.message}): ${v.rule}`);
    } else if (result !== true) {
      errors.push(`${at || '(root)'}: ${v.message ?? `failed CEL rule ${v.rule}`}`);
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => evaluateCel(schema.items, item, `${at}[${i}]`, errors));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const child = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      evaluateCel(child, v, at ? `${at}.${k}` : k, errors);
    }
  }
}

/** JSON to CEL values as Kubernetes types them: objects as maps, integer fields as int (bigint). */
function toCel(value: any, schema: any): any {
  if (Array.isArray(value)) return value.map(v => toCel(v, schema?.items));
  if (value !== null && typeof value === 'object') {
    const m = new Map<string, any>();
    for (const [k, v] of Object.entries(value)) {
      const child = schema?.properties?.[k] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      m.set(k, toCel(v, child));
    }
    return m;
  }
  const integerTyped = schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'];
  if (typeof value === 'number' && Number.isInteger(value) && integerTyped) return BigInt(value);
  return value;
}

interface ParsedCidr {
  readonly ip: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
}

/** Kubernetes' `format: cidr` and `cidr()`: Go's net.ParseCIDR (a prefix length is required). */
function parseCidr(text: string): ParsedCidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const isV4 = !m[1].includes(':');
  if (isV4 ? !ipaddr.IPv4.isValidFourPartDecimal(m[1]) : !ipaddr.IPv6.isValid(m[1]) || m[1].includes('%')) return undefined;
  const prefix = Number(m[2]);
  if (prefix > (isV4 ? 32 : 128)) return undefined;
  return { ip: ipaddr.parse(m[1]), prefix };
}

function ipText(ip: ipaddr.IPv4 | ipaddr.IPv6): string {
  return ip.kind() === 'ipv4' ? ip.toString() : (ip as ipaddr.IPv6).toRFC5952String();
}

function maskedCidr(c: ParsedCidr): ParsedCidr {
  const bytes = c.ip.toByteArray().map((b, i) => {
    const keep = Math.max(0, Math.min(8, c.prefix - i * 8));
    return b - (b % 2 ** (8 - keep));
  });
  return { ip: ipaddr.fromByteArray(bytes), prefix: c.prefix };
}

/** CIDR values travel through CEL as their canonical text "ip/prefix"; IPs as their text. */
function cidrOf(text: string): ParsedCidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`invalid CIDR "${text}"`);
  return c;
}

const K8S_CIDR_FUNCS = [
  celFunc('cidr', [CelScalar.STRING], CelScalar.STRING, (s: string) => {
    const c = cidrOf(s);
    return `${ipText(c.ip)}/${c.prefix}`;
  }),
  celMethod('masked', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
    const c = maskedCidr(cidrOf(this));
    return `${ipText(c.ip)}/${c.prefix}`;
  }),
  celMethod('ip', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
    return ipText(cidrOf(this).ip);
  }),
  celMethod('prefixLength', CelScalar.STRING, [], CelScalar.INT, function (this: string) {
    return BigInt(cidrOf(this).prefix);
  }),
  celMethod('family', CelScalar.STRING, [], CelScalar.INT, function (this: string) {
    return ipaddr.parse(this).kind() === 'ipv4' ? 4n : 6n;
  }),
  celMethod('containsIP', CelScalar.STRING, [CelScalar.STRING], CelScalar.BOOL, function (this: string, ip: string) {
    const c = cidrOf(this);
    const addr = ipaddr.parse(ip);
    return addr.kind() === c.ip.kind() && addr.match(c.ip, c.prefix);
  }),
];
