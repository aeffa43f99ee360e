import { IConstruct } from 'constructs';

/**
 * Takes a construct whose constructor threw out of the tree again. A caller may catch the error and go on
 * (a REPL, a loop over user input): the half-built construct must not take part in the later synth, where
 * its missing fields would surface as a TypeError instead of the error the caller already saw.
 */
export function withdraw(construct: IConstruct): void {
  construct.node.scope?.node.tryRemoveChild(construct.node.id);
}
