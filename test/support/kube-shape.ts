/**
 * Shape check of built-in Kubernetes objects (no OpenAPI schema is vendored): each object is read into
 * @kubernetes/client-node's typed model and written back; a field the API does not know is lost on the
 * way, and any difference is reported. Plus the required fields the API server insists on.
 */
// Tests only: the models of @kubernetes/client-node 0.22 under an alias (client-node 2, the agents', is ESM, which jest cannot load).
// eslint-disable-next-line import/no-extraneous-dependencies
import { ObjectSerializer } from 'kube-models-0.22';

const MODELS: { [gvk: string]: string } = {
  'v1/ConfigMap': 'V1ConfigMap',
  'v1/Service': 'V1Service',
  'v1/ServiceAccount': 'V1ServiceAccount',
  'v1/Namespace': 'V1Namespace',
  'apps/v1/Deployment': 'V1Deployment',
  'apps/v1/DaemonSet': 'V1DaemonSet',
  'policy/v1/PodDisruptionBudget': 'V1PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'scheduling.k8s.io/v1/PriorityClass': 'V1PriorityClass',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': 'V1ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': 'V1ValidatingAdmissionPolicyBinding',
};

/** Whether the checker knows the kind. */
export function isKubeKind(obj: any): boolean {
  return `${obj.apiVersion}/${obj.kind}` in MODELS;
}

/** Problems of one built-in object; empty when its shape is valid. */
export function validateKubeObject(obj: any): string[] {
  const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!model) return [`no shape for ${obj.apiVersion} ${obj.kind}`];
  const out: string[] = [];
  const roundTrip = ObjectSerializer.serialize(ObjectSerializer.deserialize(obj, model), model);
  diff(obj, roundTrip, '', out);
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) out.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  const pod = obj.spec?.template?.spec;
  if (obj.kind === 'Deployment' || obj.kind === 'DaemonSet') {
    const sel = obj.spec.selector?.matchLabels ?? {};
    const labels = obj.spec.template?.metadata?.labels ?? {};
    if (Object.keys(sel).length === 0) out.push('spec.selector selects nothing');
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) out.push(`spec.selector ${k}=${v} does not match the pod template`);
    if (!pod?.containers?.length) out.push('no containers');
    for (const c of pod?.containers ?? []) {
      if (!c.image) out.push(`container ${c.name} has no image`);
      for (const m of c.volumeMounts ?? []) if (!(pod.volumes ?? []).some((v: any) => v.name === m.name)) out.push(`mount ${m.name} has no volume`);
    }
  }
  if (obj.kind === 'Service') {
    for (const p of obj.spec.ports ?? []) if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) out.push(`port ${JSON.stringify(p)} is invalid`);
  }
  return out;
}

function diff(a: any, b: any, path: string, out: string[]): void {
  if (a === null || typeof a !== 'object') {
    if (a !== b && !(a instanceof Date)) out.push(`${path || '.'}: ${JSON.stringify(a)} is not a valid value (read back as ${JSON.stringify(b)})`);
    return;
  }
  if (b === null || typeof b !== 'object') {
    out.push(`${path}: has no place in the API schema`);
    return;
  }
  for (const k of Object.keys(a)) {
    if (a[k] === undefined) continue;
    if (!(k in b) || b[k] === undefined) {
      out.push(`${path}.${k}: unknown field`);
      continue;
    }
    diff(a[k], b[k], `${path}.${k}`, out);
  }
}
