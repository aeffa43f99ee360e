/**
 * A small dual-stack estate for the real-kernel tests: one zone per exit mode, documentation ranges only.
 */
import { doc, gateway, pool, rule, set, TCP_443, zone } from './model-fixture';
import { EgressExitMode, EgressModelDocument } from '../../src/model/egress-model-document';

export function packetEstate(): EgressModelDocument {
  return doc({
    nodeCidrs: ['192.0.2.0/26', '2001:db8:1::/64'],
    destinationSets: [
      set('card', [['203.0.113.0/26', 'card processor a'], ['203.0.113.64/26', 'card processor b']]),
      set('storage', [['198.51.100.0/24', 'object storage'], ['2001:db8:100::/48', 'object storage v6']]),
      set('corp', [['172.16.10.5', 'corporate SFTP']]),
    ],
    natPools: [
      pool('pay-pool', '10.250.0.0/24', false),
      pool('batch-pool', '10.244.0.0/16', true, { noNatDestinations: ['172.16.0.0/12'], nodeCidrs: ['192.0.2.0/26', '2001:db8:1::/64'] }),
    ],
    gateways: [gateway('gw', ['192.0.2.100'])],
    zones: [
      zone('batch', [rule('storage', ['storage']), rule('sftp', ['corp'], [{ protocol: 'TCP', fromPort: 22, toPort: 22 }])], { natPools: ['batch-pool'] }),
      zone('gated', [rule('storage-alt', ['storage'], [{ protocol: 'TCP', fromPort: 8443, toPort: 8443 }])], { mode: EgressExitMode.GATEWAY, gateway: 'gw' }),
      zone('payments', [rule('card', ['card'], [TCP_443])], { mode: EgressExitMode.POD_ADDRESS, natPools: ['pay-pool'] }),
    ],
  });
}
