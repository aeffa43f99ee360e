import { DataPathProblem } from './data-path-config-error';
import { FieldChecker, LABEL_NAME, labelKeyProblem, show } from './json-field-checks';

/**
 * The `observe` section of the data-path document: staged zones whose external destinations the node agent records
 * (docs/rolling-out.md, "Addresses behind pub/pvt"). Goldmane's flows carry no addresses, so an address in no network
 * set reaches the rollout report only as "pub"/"pvt"; the node agent's own table records, per staged zone, the
 * destinations of new connections outside the cluster ranges (address, protocol, port, connections, first and last
 * seen) in bounded sets whose entries time out. Opt-in; it observes and never decides anything.
 */
export interface AddressObserverConfig {
  /** The staged zones observed (not in `zones`: a staged zone is not steered). */
  readonly zones: ObservedZoneConfig[];
  /** Entries per zone and node; a full set records nothing new until entries time out (counted). */
  readonly maxAddresses: number;
  /** An entry not seen again for this long is dropped. */
  readonly timeoutSeconds: number;
}

export interface ObservedZoneConfig {
  readonly name: string;
  /** As a steered zone's (data-path-config.ts ZoneMembersConfig; written out here: that file imports this one). */
  readonly members: { readonly namespaces: string[]; readonly matchLabels: { readonly [key: string]: string } };
}

/** The data-path document version that adds `observe`: older agents refuse it at `$.version`. */
export const OBSERVE_VERSION = 4;

/** What the library writes when the app says nothing else. */
export const ADDRESS_OBSERVER_DEFAULTS = { maxAddresses: 4096, timeoutSeconds: 7 * 86_400 };

/** Checks the `observe` section; its zone names must not be among `zones` (a zone is steered or observed, not both). */
export function checkAddressObserverConfig(value: unknown, steeredZones: Set<string>): {
  config?: AddressObserverConfig; problems: DataPathProblem[];
} {
  const c = new ObserverChecker();
  const config = c.section('$.observe', value, steeredZones);
  return { config: c.problems.length ? undefined : config, problems: c.problems };
}

class ObserverChecker extends FieldChecker {
  public section(path: string, value: unknown, steeredZones: Set<string>): AddressObserverConfig | undefined {
    const d = this.object(path, value);
    if (!d) return undefined;
    this.unknownKeys(path, d, ['zones', 'maxAddresses', 'timeoutSeconds']);
    const zones = this.array(`${path}.zones`, d.zones).map((z, i) => this.zone(`${path}.zones[${i}]`, z, steeredZones));
    this.unique(`${path}.zones`, zones.map((z) => z?.name), 'zone name');
    return {
      zones: zones.filter((z): z is ObservedZoneConfig => z !== undefined),
      // The kernel's set size is a u32; far below it, a set this large is already megabytes per zone.
      maxAddresses: this.int(`${path}.maxAddresses`, d.maxAddresses, 1, 1_000_000),
      timeoutSeconds: this.int(`${path}.timeoutSeconds`, d.timeoutSeconds, 60, 30 * 86_400),
    };
  }

  private zone(path: string, value: unknown, steeredZones: Set<string>): ObservedZoneConfig | undefined {
    const z = this.object(path, value);
    if (!z) return undefined;
    this.unknownKeys(path, z, ['name', 'members']);
    const name = this.name(`${path}.name`, z.name);
    if (steeredZones.has(name)) this.fail(`${path}.name`, `zone "${name}" is in $.zones too: an observed zone is a staged one, which is not steered`);
    const m = this.object(`${path}.members`, z.members) ?? {};
    this.unknownKeys(`${path}.members`, m, ['namespaces', 'matchLabels']);
    const namespaces = this.array(`${path}.members.namespaces`, m.namespaces).map((n, i) => this.name(`${path}.members.namespaces[${i}]`, n));
    if (namespaces.length === 0) this.fail(`${path}.members.namespaces`, 'must name at least one namespace');
    const labels = this.object(`${path}.members.matchLabels`, m.matchLabels) ?? {};
    for (const [k, v] of Object.entries(labels)) {
      const keyProblem = labelKeyProblem(k);
      if (keyProblem) this.fail(`${path}.members.matchLabels[${show(k)}]`, `key ${keyProblem}`);
      if (typeof v !== 'string' || v.length > 63 || (v !== '' && !LABEL_NAME.test(v))) {
        this.fail(`${path}.members.matchLabels[${show(k)}]`, `value ${show(v)} must be a Kubernetes label value`);
      }
    }
    return { name, members: { namespaces, matchLabels: labels as { [k: string]: string } } };
  }
}
