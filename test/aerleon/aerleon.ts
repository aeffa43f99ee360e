/**
 * Aerleon, as install.sh installs it: the cached virtualenv (named by the hash of the Python version and
 * requirements.txt, as install.sh names it), and the two drivers next to this file (generate.py, aclcheck.py).
 * Locally the suites skip with one message when it is absent; with CI set they fail instead (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FirewallExportFile } from '../../src';

const HERE = __dirname;

/** The virtualenv's directory, or why there is none. */
export function aerleonVenv(): { venv?: string; missing?: string } {
  const cache = process.env.CDK8S_EGRESS_AERLEON_CACHE ?? path.join(os.homedir(), '.cache', 'cdk8s-egress-lab', 'aerleon');
  let python: string;
  try {
    const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) return { missing: 'python3 is not installed' };
    python = `${r.stdout}${r.stderr}`.trim();
  } catch {
    return { missing: 'python3 is not installed' };
  }
  // install.sh hashes `python3 --version` without its newline, then requirements.txt as it is.
  const hash = createHash('sha256').update(python).update(fs.readFileSync(path.join(HERE, 'requirements.txt'))).digest('hex').slice(0, 16);
  const venv = path.join(cache, `venv-${hash}`);
  if (!fs.existsSync(path.join(venv, '.installed'))) return { missing: `Aerleon is not installed at ${venv} (run bash test/aerleon/install.sh)` };
  return { venv };
}

/** The venv, or undefined after saying why the suite skips (throws in CI). */
export function aerleonOrSkip(suite: string): string | undefined {
  const { venv, missing } = aerleonVenv();
  if (venv) return venv;
  if (process.env.CI) throw new Error(`${suite}: ${missing}; CI must run it (.ci/run installs Aerleon)`);
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED ${suite}: ${missing}`);
  return undefined;
}

/** Writes an export's files under a new temporary directory; returns it. */
export function writeExport(files: FirewallExportFile[], prefix = 'aerleon-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), f.content);
  }
  return dir;
}

/** Runs one of the Python drivers with a JSON request; returns its JSON answer. */
export function runDriver<T>(venv: string, script: 'generate.py' | 'aclcheck.py', request: unknown): T {
  const out = execFileSync(path.join(venv, 'bin', 'python'), [path.join(HERE, script)], {
    input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as T;
}

/** Runs the aclgen command as a user would; returns its exit status, output and the files it wrote. */
export function runAclgen(venv: string, exportDir: string, outDir: string): { status: number | null; log: string; files: string[] } {
  const r = spawnSync(path.join(venv, 'bin', 'aclgen'), [
    '--base_directory', 'aerleon/policies', '--definitions_directory', 'aerleon/def', '--output_directory', outDir,
  ], { cwd: exportDir, encoding: 'utf8' });
  return { status: r.status, log: `${r.stdout}${r.stderr}`, files: fs.existsSync(outDir) ? fs.readdirSync(outDir).sort() : [] };
}
