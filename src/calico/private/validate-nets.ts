import { cidrTextShape } from './cidr-text';
import { fail, uniqueAt } from './fail';

/**
 * Calico's scanNets over a rule's nets/notNets: each a valid, strictly masked CIDR (or IP), of the
 * rule's ipVersion when it has one, and one IP family across the whole rule. `fieldOf(k)` names the k-th
 * list; it is called only to fail.
 */
export function validateEntityRuleNets(lists: readonly (string[] | undefined)[], fieldOf: (k: number) => string,
  ipVersion: number | undefined, path: string): void {
  let firstVersion = 0;
  let firstAt = -1;
  let firstIndex = -1;
  for (let k = 0; k < lists.length; k++) {
    const nets = lists[k];
    if (nets === undefined || nets === null) continue;
    for (let i = 0; i < nets.length; i++) {
      const net = nets[i];
      const cidr = cidrTextShape(net);
      if (!cidr) fail(path, `${fieldOf(k)}[${i}]`, net, 'is not a valid CIDR or IP address');
      if (!cidr.masked) fail(path, `${fieldOf(k)}[${i}]`, net, 'is not strictly masked (it has host bits set)', 'give the network address of the prefix');
      if (ipVersion !== undefined && cidr.version !== ipVersion) {
        fail(path, `${fieldOf(k)}[${i}]`, net, `is an IPv${cidr.version} network but the rule's ipVersion is ${ipVersion}`);
      }
      if (firstAt >= 0 && firstVersion !== cidr.version) {
        fail(path, `${fieldOf(k)}[${i}]`, net, `is IPv${cidr.version} but ${fieldOf(firstAt)}[${firstIndex}] is IPv${firstVersion}: Calico rejects rules with both IPv4 and IPv6 networks`,
          'split the rule in one per IP family (with ipVersion set)');
      }
      if (firstAt < 0) {
        firstVersion = cidr.version;
        firstAt = k;
        firstIndex = i;
      }
    }
    if (nets.length > 1 && new Set(nets).size !== nets.length) uniqueAt(path, fieldOf(k), nets);
  }
}
