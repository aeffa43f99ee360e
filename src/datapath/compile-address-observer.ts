import { ADDRESS_OBSERVER_DEFAULTS, AddressObserverConfig } from './address-observer-config';
import { ZoneMembersConfig } from './data-path-config';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { ValidationErrors } from '../model/errors';

/**
 * The data path's `observe` section: every staged zone of the app, with its members as the node agent matches pods
 * (namespaces + matchLabels, the same translation as a steered zone's), when the node agent's options ask for it
 * (`observeStagedZones`). Undefined when not asked or when no zone is staged: then the agents remove their table.
 */
export function compileAddressObserver(doc: EgressModelDocument, asked: boolean,
  members: (zone: EgressZoneModel, errors: ValidationErrors) => ZoneMembersConfig,
  errors: ValidationErrors, steered: Set<string> = new Set()): AddressObserverConfig | undefined {
  if (!asked) return undefined;
  // A staged zone listed among the steered ones (it owns pods ahead of a steered zone) keeps them off the gateway there.
  const staged = doc.zones.filter(z => z.staged && !steered.has(z.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (staged.length === 0) return undefined;
  return { zones: staged.map(z => ({ name: z.name, members: members(z, errors) })), ...ADDRESS_OBSERVER_DEFAULTS };
}
