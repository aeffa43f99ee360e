import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/**
 * One long-lived `nft -i` for the learned elements: a process spawn per answer (`nft -f`, 4-20 ms on a busy
 * node) would be most of the latency the proxy adds. Each batch is written as ONE line (nft runs a line as one
 * transaction, so `add; delete; add` of an element is atomic), followed by a marker command that always fails
 * (`list table inet <marker><n>`, a table nobody creates): nft -i prints nothing on success and an error with the
 * offending line on failure, so everything before the marker's own error is the batch's error. If the process
 * dies, pending batches are rejected and the next batch starts a new one.
 */
export class NftSession {
  private proc?: ChildProcessWithoutNullStreams;
  private err = '';
  private seq = 0;
  private waiting?: { id: number; resolve: () => void; reject: (e: Error) => void };

  constructor(private readonly marker: string, private readonly argv: string[] = ['nft', '-i']) {}

  /** Runs one batch (commands joined into one line); rejects with nft's error text. */
  public run(commands: string[]): Promise<void> {
    if (this.waiting) return Promise.reject(new Error('NftSession runs one batch at a time'));
    const proc = this.proc ?? this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting = { id, resolve, reject };
      proc.stdin.write(`${commands.join('; ').replace(/\n/g, ' ')}\nlist table inet ${this.marker}${id}\n`);
    });
  }

  public stop(): void {
    this.proc?.kill();
    this.proc = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    const p = spawn(this.argv[0], this.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = p;
    this.err = '';
    p.stdout.resume();
    p.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
      this.check();
    });
    const gone = (why: string) => {
      if (this.proc === p) this.proc = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new Error(`nft -i ${why}`));
    };
    p.on('exit', (code) => gone(`exited (${code})`));
    p.on('error', (e) => gone(`failed: ${e.message}`));
    p.stdin.on('error', () => undefined);
    return p;
  }

  private check(): void {
    const w = this.waiting;
    if (!w) return;
    // The marker's error block: "Error: …\n", the marker line, a caret line.
    const m = new RegExp(`(?:^|\\n)Error:[^\\n]*\\nlist table inet ${this.marker}${w.id}\\n[ ^]*\\n`).exec(this.err);
    if (!m) return;
    const before = this.err.slice(0, m.index).trim();
    this.err = this.err.slice(m.index + m[0].length);
    this.waiting = undefined;
    if (before) w.reject(new Error(before.slice(0, 2000)));
    else w.resolve();
  }
}
