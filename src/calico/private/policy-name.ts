import { fail } from './fail';

/** Names Calico takes as already formatted (Kubernetes and OpenStack policies it converts itself). */
const FORMATTED_PREFIXES = ['knp.default.', 'kcnp.kube-admin.', 'kcnp.kube-baseline.', 'ossg.'];

/**
 * libcalico-go's names.ValidateTieredPolicyName: a policy in the default tier is named without a
 * dot (or "default.<name>"); a policy in any other tier must be named "<tier>.<name>".
 */
export function validateTieredPolicyName(name: string, tier: string | undefined, path: string): void {
  if (FORMATTED_PREFIXES.some(p => name.startsWith(p))) return;
  const t = tier || 'default';
  const dotted = name.includes('.');
  if (!dotted && t === 'default') return;
  if (dotted && name.startsWith(`${t}.`)) return;
  const base = dotted ? name.slice(name.indexOf('.') + 1) : name;
  fail(path, 'metadata.name', name, t === 'default'
    ? 'has a tier prefix but the policy is in the default tier (Calico reads the part before "." as the tier)'
    : `must be "${t}.<name>" for a policy in tier "${t}"`, `name it "${t === 'default' ? base : `${t}.${base}`}"`);
}
