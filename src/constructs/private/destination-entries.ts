import { Cidr } from '../../model/cidr';
import { EgressValidationError, locate } from '../../model/errors';
import type { DestinationSetDeclaration } from '../../synth/declarations';

// RFC 1123 host names, optionally with a leading "*." wildcard (what Calico Enterprise and Cilium accept).
const DOMAIN = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?\.?$/;

/**
 * The addresses and domain names of one destination set, parsed and checked as they are added. Shared by the
 * DestinationSet construct and by AllowExternal's inline destinations, which need no construct of their own
 * (a construct per rule was a third of a large estate's constructs, for nothing cdk8s needed).
 */
export class DestinationEntries {
  // Canonical text, not Cidr objects: the model needs only the text, and an estate holds many entries.
  private readonly entries: { cidr: string; description?: string }[] = [];
  private readonly domains: string[] = [];

  /**
   * @param path the set's path in the model
   * @param errorPath the path errors name: what the user declared (a rule's own addresses are the rule's)
   */
  constructor(private readonly path: string, private readonly errorPath: string = path) {}

  public get hasDomains(): boolean {
    return this.domains.length > 0;
  }

  public addCidrAt(field: string, text: string, description?: string): void {
    const cidr = locate(this.errorPath, field, () => {
      // A host name where an address belongs (Destination.cidr('api.stripe.com')): say where names go.
      const name = text.toLowerCase().replace(/\.$/, '');
      if (name.includes('.') && DOMAIN.test(name) && /[a-z]/.test(name.slice(name.lastIndexOf('.') + 1))) {
        throw new EgressValidationError(field, text, 'is a domain name, not an IPv4 or IPv6 address or CIDR', undefined,
          `use Destination.domain("${text}") (a DestinationSet takes names in domains)`);
      }
      return Cidr.parse(text);
    });
    this.entries.push({ cidr: cidr.toString(), description });
  }

  public addDomainAt(field: string, domain: string): void {
    const d = domain.toLowerCase();
    if (d.length > 253 || !DOMAIN.test(d)) {
      throw new EgressValidationError(field, domain, 'is not a domain name (RFC 1123, optionally starting with "*.")', this.errorPath, 'e.g. "api.example.com" or "*.example.com"');
    }
    this.domains.push(d.replace(/\.$/, ''));
  }

  /** The set's declaration for the model; an empty set is an error. */
  public declaration(set: {
    name: string; description?: string; labels: { [key: string]: string }; namespace?: string; inline: boolean;
  }): DestinationSetDeclaration {
    if (this.entries.length === 0 && this.domains.length === 0) {
      throw new EgressValidationError('cidrs', '[]', 'is empty: a destination set needs at least one address or domain', this.errorPath);
    }
    return {
      name: set.name,
      path: this.path,
      description: set.description,
      entries: this.entries.map(e => ({ cidr: e.cidr, description: e.description ?? set.description })),
      domains: [...new Set(this.domains)].sort(),
      labels: set.labels,
      namespace: set.namespace,
      inline: set.inline,
    };
  }
}
