/**
 * The lab bench's figures, each min / median / p95 / max over its trials or rounds, collected as the tests run and
 * printed at the end as a table BENCHMARKS.md can take as is, with the machine's load beside it.
 */
import { execFileSync } from 'child_process';

/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

export function spread(xs: number[], digits = 3, withP95 = false): string {
  const f = (x: number) => x.toFixed(digits);
  const parts = [Math.min(...xs), percentile(xs, 50), ...(withP95 ? [percentile(xs, 95)] : []), Math.max(...xs)].map(f);
  return parts.join(' / ');
}

export function uptime(): string {
  return execFileSync('uptime', { encoding: 'utf8' }).trim();
}

export class BenchReport {
  private readonly rows: [string, string, string][] = [];
  private readonly notes: string[] = [];

  public row(figure: string, value: string, goal = ''): void {
    this.rows.push([figure, value, goal]);
    console.log(`BENCH | ${figure} | ${value} | ${goal}`); // eslint-disable-line no-console
  }

  public note(text: string): void {
    this.notes.push(text);
    console.log(`BENCH note: ${text}`); // eslint-disable-line no-console
  }

  public markdown(): string {
    return ['| figure | min / median / (p95 /) max | goal |', '|---|---|---|', ...this.rows.map((r) => `| ${r.join(' | ')} |`), '',
      ...this.notes.map((n) => `- ${n}`)].join('\n');
  }
}
