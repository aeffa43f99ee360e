/** One JSON object per line on stderr: what container runtimes collect and tests can read. */
export function log(level: 'info' | 'warn' | 'error', msg: string, fields: { [k: string]: unknown } = {}): void {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
}
