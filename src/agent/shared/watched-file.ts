import { watchFile, unwatchFile, readFileSync } from 'node:fs';

/**
 * Calls `onChange(text)` now and whenever the file's content changes. Polls stat (every 200 ms)
 * rather than inotify: a ConfigMap volume swaps a symlink, which fs.watch loses track of.
 */
export class WatchedFile {
  private last?: string;

  constructor(private readonly path: string, private readonly onChange: (text: string) => void, intervalMs = 200) {
    watchFile(path, { interval: intervalMs }, () => this.check());
  }

  public check(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return; // mid-swap or gone: keep what we have
    }
    if (text === this.last) return;
    this.last = text;
    this.onChange(text);
  }

  public close(): void {
    unwatchFile(this.path);
  }
}
