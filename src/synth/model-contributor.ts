import { IConstruct } from 'constructs';
import type { ModelBuilder } from './model-builder';

/**
 * Constructs that declare part of the egress model. The model builder walks the construct tree and asks
 * each contributor for its declarations; constructs never render anything themselves (data flows one way).
 */
export interface ModelContributor extends IConstruct {
  /**
   * The construct's path, where the contributor keeps it at hand (computing a path walks the tree).
   * @internal
   */
  readonly _modelPath?: string;
  /** @internal */
  _contribute(builder: ModelBuilder): void;
}

export function isModelContributor(x: IConstruct): x is ModelContributor {
  return typeof (x as any)._contribute === 'function';
}
