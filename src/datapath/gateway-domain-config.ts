import { DataPathProblem } from './data-path-config-error';
import { DomainProtocol } from './domain-config';
import { FieldChecker, show } from './json-field-checks';

/**
 * A domain rule of a steered zone, as its gateway holds it (version 3 of the data-path document, `zones[].domainRules`;
 * docs/domain-names.md "Through a gateway"). The gateway never sees the zone's DNS, so it cannot know the addresses:
 * it admits the rule's ports to every external address for that zone's tunnel traffic, and trusts the source node's
 * node agent, which steers into the tunnel only connections whose address a pod of the zone looked up.
 */
export interface GatewayDomainRuleConfig {
  /** The rule's name (the counters and the review tools name it). */
  readonly name: string;
  readonly protocol: DomainProtocol;
  /** "443" or "8000-8080"; empty means every port. */
  readonly ports: string[];
}

/** The first version of the document with `zones[].domainRules`. */
export const GATEWAY_DOMAINS_VERSION = 3;

/** Checks a zone's `domainRules`; `gateway`: whether the zone names one (the rules mean nothing without it). */
export function checkGatewayDomainRules(path: string, value: unknown, gateway: boolean):
{ rules: GatewayDomainRuleConfig[]; problems: DataPathProblem[] } {
  const c = new GatewayDomainChecker();
  const rules = c.rules(path, value, gateway);
  return { rules, problems: c.problems };
}

class GatewayDomainChecker extends FieldChecker {
  public rules(path: string, value: unknown, gateway: boolean): GatewayDomainRuleConfig[] {
    const list = this.array(path, value);
    if (list.length > 0 && !gateway) this.fail(path, 'is only meaningful with a gateway');
    const out = list.map((v, i) => this.rule(`${path}[${i}]`, v)).filter((r): r is GatewayDomainRuleConfig => r !== undefined);
    this.unique(path, out.map((r) => `${r.name}/${r.protocol}`), 'rule name and protocol');
    return out;
  }

  private rule(path: string, value: unknown): GatewayDomainRuleConfig | undefined {
    const r = this.object(path, value);
    if (!r) return undefined;
    this.unknownKeys(path, r, ['name', 'protocol', 'ports']);
    if (typeof r.name !== 'string' || r.name === '') this.fail(`${path}.name`, `must be a non-empty string, got ${show(r.name)}`);
    const protocol = r.protocol as DomainProtocol;
    if (!['tcp', 'udp', 'any'].includes(protocol)) this.fail(`${path}.protocol`, `must be tcp, udp or any, got ${show(r.protocol)}`);
    const ports = this.array(`${path}.ports`, r.ports).map((x, i) => this.portRange(`${path}.ports[${i}]`, x) ?? '');
    if (protocol === 'any' && ports.length) this.fail(`${path}.ports`, 'must be empty for protocol any');
    return { name: String(r.name), protocol, ports };
  }
}
