import { gatewayPolicyProblems, renderGatewayPolicy } from '../../backends/gateway-policy';
import { steeredZones } from '../../datapath/gateway-routing';
import { ValidationErrors } from '../../model/errors';
import { Emitter } from '../emitter';

/**
 * The Calico policy of each cdk8s-egress gateway's own pods (what the zones leaving through it may reach).
 */
export const GATEWAY_POLICIES: Emitter = {
  name: 'egress gateways',
  unsupported: ({ document, requests }) => {
    if (requests.dataPathGateways.length === 0) return [];
    const errors = new ValidationErrors();
    steeredZones(document, errors);
    return [...errors.messages, ...requests.dataPathGateways.flatMap(g => gatewayPolicyProblems(document, g))];
  },
  render: input => {
    const { document, requests } = input;
    if (requests.dataPathGateways.length === 0) return;
    const zones = steeredZones(document, new ValidationErrors());
    for (const g of requests.dataPathGateways) renderGatewayPolicy(input.scopeFor(g.settings.path), document, zones, g);
  },
};
