import { domainPorts, usesAgentDomains } from './compile-domains';
import { GatewayDomainRuleConfig } from './gateway-domain-config';
import { SteeredZone } from './gateway-routing';
import { EgressModelDocument } from '../model/egress-model-document';
import { located, ValidationErrors } from '../model/errors';

/**
 * A steered zone's domain rules as its gateway holds them (`zones[].domainRules`, version 3; docs/domain-names.md
 * "Through a gateway"): the rule's ports by protocol, no addresses. The domain check itself stays at the source node,
 * where the zone's DNS answers are: the node agent's learned-address gate runs in the forward hook, after steering
 * chose the tunnel and before the packet is encapsulated, so only looked-up addresses ever enter the tunnel.
 */
export function gatewayDomainRules(doc: EgressModelDocument, z: SteeredZone, errors: ValidationErrors): GatewayDomainRuleConfig[] {
  // On Calico the node agent's section already reported the ports it cannot match (compile-domains.ts): once is enough.
  const report = usesAgentDomains(doc, z.zone) ? new ValidationErrors() : errors;
  const out: GatewayDomainRuleConfig[] = [];
  for (const rule of z.domainRules) {
    const where = located(`rule "${rule.name}" of zone "${z.zone.name}"`, rule.path);
    for (const entry of domainPorts(rule, where, report)) out.push({ name: rule.name, ...entry });
  }
  return out;
}
