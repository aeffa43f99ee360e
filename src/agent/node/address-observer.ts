import { existingSets, OBSERVER_NFT_TABLE, observedFromListing, ObservedAddressesDocument, renderObserverScript } from './address-observer-ruleset';
import { DataPathConfig } from '../../datapath';
import { log } from '../shared/log';
import { ZonePod } from '../shared/observed-state';

/** Runs a command (argv, never a shell) with optional stdin; rejects with its stderr. */
export type RunCommand = (argv: string[], stdin?: string) => Promise<string>;

const LIST = ['nft', '-j', 'list', 'table', 'ip', OBSERVER_NFT_TABLE];

/**
 * The staged zones' address observer (data-path `observe`, docs/rolling-out.md): its own table, brought to the
 * configuration and the node's pods on every change; without an `observe` section the table is removed. What it
 * recorded survives re-renders and agent restarts (the kernel holds it); it decides nothing, so a failure is logged
 * and retried on the next change, never a reason to hold the steering back.
 */
export class AddressObserver {
  private queue: Promise<void> = Promise.resolve();
  private lastScript?: string;
  private present?: boolean;

  constructor(private readonly run: RunCommand) {}

  /** Called on every cluster view and configuration change. */
  public update(config: DataPathConfig, pods: ZonePod[]): Promise<void> {
    const next = this.queue.then(() => this.apply(config, pods));
    this.queue = next.catch((e) => log('error', 'address observer not applied; retried on the next change', { table: OBSERVER_NFT_TABLE, error: (e as Error).message }));
    return next;
  }

  private async apply(config: DataPathConfig, pods: ZonePod[]): Promise<void> {
    if (!config.observe?.zones.length) {
      if (this.present === false) return;
      await this.run(['nft', 'delete', 'table', 'ip', OBSERVER_NFT_TABLE]).catch((e: Error) => {
        if (!/No such file or directory/.test(e.message)) throw e;
      });
      this.present = false;
      this.lastScript = undefined;
      return;
    }
    const listing = await this.run(LIST).catch(() => undefined);
    const script = renderObserverScript(config, pods, existingSets(listing));
    if (script === this.lastScript && listing !== undefined) return;
    await this.run(['nft', '-f', '-'], script);
    this.lastScript = script;
    this.present = true;
  }
}

/** `main.js observed-addresses`: what this node's observer holds now (an empty document without the table). */
export async function readObservedAddresses(run: RunCommand, node: string, now = Date.now()): Promise<ObservedAddressesDocument> {
  const listing = await run(LIST).catch((e: Error) => {
    if (/No such file or directory/.test(e.message)) return undefined;
    throw e;
  });
  return listing ? observedFromListing(listing, node, now) : { kind: 'ObservedAddresses', node, observedAt: new Date(now).toISOString(), zones: [] };
}
