import { CidrAggregator } from '../model/cidr-aggregation';
import { EgressGatewayModel } from '../model/egress-model-document';
import { problem } from '../model/errors';

/**
 * Egress addresses that two gateways both claim, one problem per pair of gateways. An egress address is the
 * source one gateway pod's traffic leaves with, and each gateway's addresses become its own IP pool, which
 * Calico will not let overlap another.
 */
export function sharedEgressAddresses(gateways: readonly EgressGatewayModel[]): string[] {
  const owner = new Map<string, EgressGatewayModel>();
  const pairs = new Map<string, { first: EgressGatewayModel; second: EgressGatewayModel; ips: string[] }>();
  for (const gw of gateways) {
    for (const ip of gw.egressIps) {
      const first = owner.get(ip);
      if (!first) {
        owner.set(ip, gw);
        continue;
      }
      const key = `${first.name}\u0000${gw.name}`;
      const pair = pairs.get(key) ?? pairs.set(key, { first, second: gw, ips: [] }).get(key)!;
      pair.ips.push(ip);
    }
  }
  return [...pairs.values()].map(({ first, second, ips }) => {
    const shown = CidrAggregator.merge(ips).map(c => c.replace(/\/(32|128)$/, '')).join(', ');
    return problem(`egressIps "${shown}" of gateway "${second.name}" are also egress addresses of gateway "${first.name}"`,
      [first.path, second.path], 'give each gateway an egress range of its own');
  });
}
