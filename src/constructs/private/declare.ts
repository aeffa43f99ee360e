import { Construct } from 'constructs';
import { withdraw } from './withdraw';
import { ensureSynthesizer } from '../../synth/egress-synthesizer';

/**
 * The opening a construct that takes part in synth shares: `check` validates the props (at the construct's
 * path) and returns what the construct keeps; then its app gets the egress synthesizer. A rejected construct
 * is taken out of the tree again (see withdraw) and leaves nothing behind. The caller assigns its readonly
 * fields from the result: TypeScript allows that only in the constructor itself.
 */
export function declare<T>(construct: Construct, check: (path: string) => T): T {
  try {
    const checked = check(construct.node.path);
    ensureSynthesizer(construct);
    return checked;
  } catch (e) {
    withdraw(construct);
    throw e;
  }
}
