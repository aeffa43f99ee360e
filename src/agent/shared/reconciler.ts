import { log } from './log';

export interface ReconcilerOptions {
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

/**
 * Runs `sync` whenever triggered, one at a time, coalescing triggers that arrive while a sync runs.
 * A failed sync leaves the kernel as the last sync left it (nft transactions are atomic), is
 * retried with exponential backoff, and the retry is a *full* resync (`sync(true)`): nothing cached
 * about the kernel is trusted after a failure.
 */
export class Reconciler {
  private running = false;
  private dirty = false;
  private forceFull = true;
  private backoffMs = 0;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  public syncs = 0;
  public failures = 0;

  constructor(private readonly sync: (full: boolean) => Promise<void>, private readonly opts: ReconcilerOptions) {}

  /** Schedules a sync; `full` makes it re-read the kernel instead of trusting the last applied state. */
  public trigger(full = false): void {
    if (this.stopped) return;
    if (full) this.forceFull = true;
    this.dirty = true;
    if (!this.running && !this.retryTimer) void this.loop();
  }

  public stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async loop(): Promise<void> {
    this.running = true;
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      const full = this.forceFull;
      this.forceFull = false;
      try {
        this.syncs++;
        await this.sync(full);
        this.backoffMs = 0;
      } catch (e) {
        this.failures++;
        this.forceFull = true;
        this.backoffMs = Math.min(this.opts.maxBackoffMs, Math.max(this.opts.minBackoffMs, this.backoffMs * 2));
        log('error', 'sync failed; keeping the last good state, full resync scheduled', { error: (e as Error).message, retryInMs: this.backoffMs });
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.trigger();
        }, this.backoffMs);
        break;
      }
    }
    this.running = false;
  }
}
