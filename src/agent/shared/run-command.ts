import { spawn } from 'node:child_process';

/** Thrown when a kernel tool exits non-zero; carries what it said so logs show the kernel's reason. */
export class CommandError extends Error {
  constructor(public readonly argv: string[], public readonly code: number | null, public readonly stderr: string) {
    super(`${argv.join(' ')} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`);
    this.name = 'CommandError';
  }
}

/** Runs a tool (never through a shell), feeding `stdin`, and resolves with its stdout. */
export function runCommand(argv: string[], stdin?: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new CommandError(argv, null, e.message)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new CommandError(argv, code, err))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}
