/**
 * The learned elements' transactions through libnftables in the agent's own process (koffi, an FFI with
 * prebuilt binaries for every platform inside its npm package). libnftables is nft's own library (the nft
 * program is a thin front end to it): the same syntax and the same netlink batch, one buffer = one transaction,
 * without a process in between. `nft -i` (NftSession) reads its input through its line editor one byte at a time
 * (strace: ~125 reads and ~95 writes for a 20-character line), milliseconds a line before nftables does anything
 * (BENCHMARKS.md "Domain rules" compares the two).
 *
 * No npm library speaks nftables' netlink protocol; hand-written netlink would also need a native addon (Node has
 * no AF_NETLINK sockets) and would re-implement nft's set-element encoding. Calling the library nft itself uses
 * needs neither.
 *
 * The call is synchronous: the event loop waits for the kernel's ack (tens of microseconds for one answer, under
 * a millisecond for 64); the caller batches every answer that arrived meanwhile into the next call.
 */
export class NftLibrarySession {
  /**
   * libnftables through koffi, or the reason it cannot be used (no koffi for this platform, no libnftables.so.1):
   * the caller then falls back to `nft -i`.
   */
  public static open(library = 'libnftables.so.1'): NftLibrarySession | string {
    try {
      // Loaded on demand: the agent still runs (slower, through nft -i) where the FFI cannot load.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const koffi = require('koffi') as Koffi;
      const lib = koffi.load(library);
      return new NftLibrarySession({
        ctxNew: lib.func('void *nft_ctx_new(uint32_t flags)'),
        ctxFree: lib.func('void nft_ctx_free(void *ctx)'),
        bufferOutput: lib.func('int nft_ctx_buffer_output(void *ctx)'),
        bufferError: lib.func('int nft_ctx_buffer_error(void *ctx)'),
        errorBuffer: lib.func('const char *nft_ctx_get_error_buffer(void *ctx)'),
        run: lib.func('int nft_run_cmd_from_buffer(void *ctx, const char *buf)'),
      });
    } catch (e) {
      return `${library} through koffi: ${(e as Error).message}`;
    }
  }

  private ctx: unknown;

  private constructor(private readonly fn: LibNftables) {}

  /** Runs the commands as one transaction (all or nothing); rejects with nft's error text. */
  public run(commands: string[]): Promise<void> {
    try {
      this.ctx ??= this.newContext();
      // One line: libnftables 1.0.6 quotes a multi-line buffer's first line under every error's caret.
      const rc = this.fn.run(this.ctx, commands.join('; ').replace(/\n/g, ' '));
      // Read every time: the buffer is rewound on read, so a warning left by a success never prefixes an error.
      const err = String(this.fn.errorBuffer(this.ctx) ?? '').trim();
      return rc === 0 ? Promise.resolve() : Promise.reject(new Error(err.slice(0, 2000) || `libnftables returned ${rc}`));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  public stop(): void {
    if (this.ctx) this.fn.ctxFree(this.ctx);
    this.ctx = undefined;
  }

  private newContext(): unknown {
    const ctx = this.fn.ctxNew(0);
    if (!ctx) throw new Error('nft_ctx_new failed');
    // Output and errors into memory, never onto the agent's stdout/stderr.
    this.fn.bufferOutput(ctx);
    this.fn.bufferError(ctx);
    return ctx;
  }
}

/** The part of koffi used here (typed locally: koffi is loaded on demand, not imported). */
interface Koffi { load(path: string): { func(signature: string): (...args: any[]) => any } }

interface LibNftables {
  ctxNew(flags: number): unknown;
  ctxFree(ctx: unknown): void;
  bufferOutput(ctx: unknown): number;
  bufferError(ctx: unknown): number;
  errorBuffer(ctx: unknown): string | null;
  run(ctx: unknown, buf: string): number;
}
