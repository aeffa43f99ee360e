import { fail } from './fail';
import { CalicoTierSpec } from '../calico-tier-spec';

/** Calico's checks of a Tier's spec: the order, when given, is a finite number. */
export function validateTierSpec(spec: CalicoTierSpec, path: string): void {
  if (spec === undefined || spec === null || typeof spec !== 'object') fail(path, 'spec', spec, 'is required');
  if (spec.order !== undefined && (typeof spec.order !== 'number' || !Number.isFinite(spec.order))) {
    fail(path, 'spec.order', spec.order, 'is not a finite number');
  }
}
