/**
 * The one place synth-time warnings go: kept per construct path (FirewallExport.warnings reads them) and
 * printed once each to stderr, the way cdk8s's own synth reports. Problems are not warnings: they fail the
 * synth with one error (see ValidationErrors).
 */
export class SynthReporter {
  private readonly byPath = new Map<string, string[]>();

  constructor(private readonly print: (line: string) => void = line => process.stderr.write(line)) {}

  /** A warning of `emitter` about the declaration at `path`. */
  public warn(emitter: string, path: string, message: string): void {
    let list = this.byPath.get(path);
    if (!list) this.byPath.set(path, list = []);
    list.push(message);
    this.print(`[cdk8s-egress] ${emitter} ${path}: ${message}\n`);
  }

  /** The warnings reported about the declaration at `path`. */
  public warningsAt(path: string): string[] {
    return [...(this.byPath.get(path) ?? [])];
  }
}
