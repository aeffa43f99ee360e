/**
 * Validates ClusterNetworkPolicies against the OpenAPI schema of the release's own CRD (from its Go module:
 * network-policy-api-crd.ts) with ajv, unknown fields reported as errors; the standard channel's CRD unless the object
 * uses domainNames (experimental). The CRD's CEL rules need a real API server: test/lab applies the objects there.
 */
import * as fs from 'fs';
import Ajv, { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { OBJECT_META, toJsonSchema } from './cilium-schema';
import { networkPolicyApiCrd } from './network-policy-api-crd';

const loaded = new Map<string, ValidateFunction>();

/** Problems of one policy.networking.k8s.io object, each "<json path>: <message>"; empty when valid. */
export function validateAgainstNetworkPolicyApiCrd(obj: any): string[] {
  const [group, version] = String(obj?.apiVersion).split('/');
  if (group !== 'policy.networking.k8s.io' || obj.kind !== 'ClusterNetworkPolicy') return [`no ClusterNetworkPolicy CRD for ${obj?.apiVersion} ${obj?.kind}`];
  const channel = JSON.stringify(obj.spec ?? {}).includes('"domainNames"') ? 'experimental' : 'standard';
  const validate = load(channel, version);
  if (!validate) return [`the ${channel} CRD serves no version ${version}`];
  const errors: string[] = [];
  if (!validate(JSON.parse(JSON.stringify(obj)))) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as any).additionalProperty}"` : '';
      errors.push(`${e.instancePath || '(root)'}: ${e.message}${extra}`);
    }
  }
  if (obj.metadata?.namespace !== undefined) errors.push('metadata.namespace: set on the cluster-scoped kind ClusterNetworkPolicy');
  return errors;
}

function load(channel: 'standard' | 'experimental', version: string): ValidateFunction | undefined {
  const key = `${channel}/${version}`;
  if (!loaded.has(key)) {
    const crd = YAML.parse(fs.readFileSync(networkPolicyApiCrd(channel), 'utf8'));
    const served = (crd.spec.versions ?? []).find((v: any) => v.name === version && v.served);
    if (!served) return undefined;
    const schema = toJsonSchema(served.schema.openAPIV3Schema);
    schema.properties.metadata = OBJECT_META;
    // status is the implementation's, never ours.
    delete schema.properties.status;
    const ajv = new Ajv({ allErrors: true, strict: false });
    // OpenAPI's numeric formats: the types already bound them; without these ajv warns once per use.
    for (const f of ['int32', 'int64']) ajv.addFormat(f, true);
    loaded.set(key, ajv.compile(schema));
  }
  return loaded.get(key);
}
