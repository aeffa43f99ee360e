import type { Backend } from '../../backends/backend';
import { EgressValidationError } from '../../model/errors';
import { validateDnsLabel, validateDnsSubdomain } from '../../model/names';

/** A mesh backend only as `mesh`, a network backend only as `backend`. */
export function checkMesh(backend: Backend, mesh: Backend | undefined, path: string): void {
  if (backend.isMesh) {
    throw new EgressValidationError('backend', backend.name, 'is a mesh backend: it enforces layer 7 beside a network backend, not instead of one', path,
      `backend: Backend.CALICO (or CILIUM, KUBERNETES), mesh: Backend.${backend.name}()`);
  }
  if (mesh && !mesh.isMesh) {
    throw new EgressValidationError('mesh', mesh.name, 'is a network backend, not a mesh backend', path, 'mesh: Backend.istio(), and the network backend as backend');
  }
}

/** "namespace/name" service accounts, each in one of the zone's named namespaces; sorted, de-duplicated. */
export function checkServiceAccounts(accounts: string[] | undefined, namespaces: string[], path: string): string[] | undefined {
  if (accounts === undefined) return undefined;
  if (accounts.length === 0) throw new EgressValidationError('serviceAccounts', '[]', 'is empty: a mesh would allow no client', path, 'leave serviceAccounts out for whole namespaces');
  accounts.forEach((a, i) => {
    const [ns, name, extra] = String(a).split('/');
    if (extra !== undefined || !name) throw new EgressValidationError(`serviceAccounts[${i}]`, a, 'is not "namespace/name"', path, 'e.g. "payments/api"');
    validateDnsLabel(`serviceAccounts[${i}]`, ns, path);
    validateDnsSubdomain(`serviceAccounts[${i}]`, name, path);
    if (!namespaces.includes(ns)) {
      throw new EgressValidationError(`serviceAccounts[${i}]`, a, `is not in the zone's namespaces (${namespaces.join(', ') || 'none named'})`, path, 'name service accounts of the zone\'s namespaces');
    }
  });
  return [...new Set(accounts)].sort();
}
