/**
 * Gating and shared steps of the lab suites: they run as root with the toolchain built; in CI they never skip.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { YamlOutputType } from 'cdk8s';
import * as YAML from 'yaml';
import { labUnavailableReason } from './lab';
import { EgressApp } from '../../src';
import { expectWarnings } from '../support/warnings';

const REPO = path.resolve(__dirname, '..', '..');
let warned = false;

/**
 * `describe` when the lab can run; in CI a failing test naming the reason; locally one skip message. `extra` names a
 * further prerequisite of this suite (e.g. the real nodes' build).
 */
export function describeLab(name: string, fn: () => void, extra?: () => string | undefined): void {
  const reason = labUnavailableReason() ?? extra?.();
  if (!reason) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      test('lab prerequisites', () => {
        throw new Error(`the lab suite cannot run in CI: ${reason}`);
      });
    });
    return;
  }
  if (!warned) console.warn(`lab suite skipped: ${reason}`);
  warned = true;
  describe.skip(name, fn);
}

/** Synthesizes the example estate (examples/app) with a backend into a temp dir; returns its parsed manifests. */
export function synthExample(backend: string): { yaml: string; docs: any[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ceglab-synth-${backend}-`));
  const r = spawnSync('npx', ['ts-node', '--transpile-only', '--project', 'test/tsconfig.json', 'examples/app/main.ts'], {
    cwd: REPO, env: { ...process.env, BACKEND: backend, OUTDIR: dir }, encoding: 'utf8', timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`synth of the example (${backend}) failed: ${r.stderr}`);
  const file = path.join(dir, 'egress.k8s.yaml');
  const yaml = fs.readFileSync(file, 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  return { yaml, docs: YAML.parseAllDocuments(yaml).map((d) => d.toJSON()).filter(Boolean) };
}

/**
 * Synthesizes an app built in-process by `build` into a temp dir; returns the parsed manifests of chart file `file`.
 * The synth must warn exactly `warnings` (test/support/warnings.ts).
 */
export function synthApp(build: (app: EgressApp) => void, file: string, warnings: (string | RegExp)[] = []): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ceglab-synth-'));
  try {
    const app = new EgressApp({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    build(app);
    expectWarnings(warnings, () => app.synth());
    return YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, file), 'utf8')).map((d) => d.toJSON()).filter(Boolean);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function toYaml(docs: any[]): string {
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}
