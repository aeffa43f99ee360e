import { parseCidrText } from './cidr-text';
import { fail, uniqueAt } from './fail';

/**
 * Calico's scanNets over a rule's nets/notNets: each a valid, strictly masked CIDR (or IP), of the
 * rule's ipVersion when it has one, and one IP family across the whole rule.
 */
export function validateEntityRuleNets(lists: Array<[string[] | undefined, string]>, ipVersion: number | undefined, path: string): void {
  let first: { version: number; field: string } | undefined;
  for (const [nets, field] of lists) {
    (nets ?? []).forEach((net, i) => {
      const f = `${field}[${i}]`;
      const cidr = parseCidrText(net);
      if (!cidr) fail(path, f, net, 'is not a valid CIDR or IP address');
      if (!cidr.masked) fail(path, f, net, 'is not strictly masked (it has host bits set)', 'give the network address of the prefix');
      if (ipVersion !== undefined && cidr.version !== ipVersion) {
        fail(path, f, net, `is an IPv${cidr.version} network but the rule's ipVersion is ${ipVersion}`);
      }
      if (first && first.version !== cidr.version) {
        fail(path, f, net, `is IPv${cidr.version} but ${first.field} is IPv${first.version}: Calico rejects rules with both IPv4 and IPv6 networks`,
          'split the rule in one per IP family (with ipVersion set)');
      }
      first ??= { version: cidr.version, field: f };
    });
    uniqueAt(path, field, nets ?? []);
  }
}
