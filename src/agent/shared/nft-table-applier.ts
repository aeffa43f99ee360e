import { Kernel } from './kernel';
import { AppliedTable, NftRuleset, objectsOf, planTableSwap, TableSwap } from './nft-table-swap';

/** A swap that went in, with the wall time of its two transactions. */
export interface AppliedSwap extends TableSwap { readonly stageMs: number; readonly swapMs: number }

/**
 * An agent's own table, applied with planTableSwap: remembers what the kernel holds after each
 * success, so the next change is planned without listing the kernel (the table is the agent's alone)
 * and hash sets are edited in place. A failure or a full resync forgets it: the kernel is listed and
 * every set rebuilt.
 */
export class NftTableApplier {
  private applied?: AppliedTable;

  constructor(private readonly kernel: Kernel) {}

  /** Undefined when the kernel already holds `desired`. */
  public async apply(desired: NftRuleset, full: boolean): Promise<AppliedSwap | undefined> {
    const before = full ? undefined : this.applied;
    this.applied = undefined; // a failed transaction leaves it unknown: the retry rebuilds every set
    const existing = before ? objectsOf(before) : await this.kernel.listNftObjects(desired.family, desired.table);
    const swap = planTableSwap(desired, existing, before);
    if (!swap) {
      this.applied = before;
      return undefined;
    }
    const t0 = Date.now();
    if (swap.stage) await this.kernel.applyNft(swap.stage);
    const t1 = Date.now();
    await this.kernel.applyNft(swap.swap);
    this.applied = swap.applied;
    return { ...swap, stageMs: t1 - t0, swapMs: Date.now() - t1 };
  }
}
