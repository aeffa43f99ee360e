/**
 * Jest setup (setupFilesAfterEnv): every Calico and Cilium object that ANY test synthesizes is validated
 * against the reference CRD schemas, so no test can produce an object the API server would reject without
 * failing. Kinds without a reference CRD (e.g. Calico Enterprise's EgressGatewayPolicy) are left to their
 * own tests.
 */
import { Chart } from 'cdk8s';
import { calicoCrdKinds, calicoCrdsPresent, validateAgainstCalicoCrd } from './calico-schema';
import { ciliumCrdsPresent, validateAgainstCiliumCrd } from './cilium-schema';

const problems: string[] = [];
const original = Chart.prototype.toJson;
let calicoKinds: Set<string> | undefined;
const CILIUM_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'CiliumEgressGatewayPolicy']);

Chart.prototype.toJson = function guardedToJson(this: Chart): any[] {
  const objects = original.call(this);
  for (const obj of objects) {
    let errors: string[] = [];
    if (obj?.apiVersion === 'projectcalico.org/v3' && calicoCrdsPresent()) {
      calicoKinds ??= new Set(calicoCrdKinds());
      // Calico Enterprise's (Global)NetworkSets add allowedEgressDomains to the open-source schema (checked in test/backends).
      const { allowedEgressDomains, ...ossSpec } = obj.spec ?? {};
      const oss = allowedEgressDomains !== undefined && /^(Global)?NetworkSet$/.test(obj.kind) ? { ...obj, spec: ossSpec } : obj;
      if (calicoKinds.has(obj.kind)) errors = validateAgainstCalicoCrd(oss);
    } else if (obj?.apiVersion === 'cilium.io/v2' && CILIUM_KINDS.has(obj.kind) && ciliumCrdsPresent()) {
      errors = validateAgainstCiliumCrd(obj);
    }
    for (const e of errors) problems.push(`${obj.kind}/${obj.metadata?.name} (chart ${this.node.path}): ${e}`);
  }
  return objects;
};

afterAll(() => {
  if (process.env.CI && (!calicoCrdsPresent() || !ciliumCrdsPresent())) {
    throw new Error('CRD reference data (../shared/reference) is missing: CI must validate every synthesized object');
  }
  if (problems.length > 0) {
    throw new Error(`synthesized objects violate the reference CRD schemas:\n  ${[...new Set(problems)].slice(0, 50).join('\n  ')}`);
  }
});
