/**
 * Builds and runs the Go validator programs under test/validators/<name>/ (Calico's libcalico-go validation,
 * Cilium's policy parsing, network-policy-api's types), built from their published Go modules into a cache
 * outside the repo.
 *
 * The build happens once, when a test file is collected (not inside any test), and is keyed by a hash of the
 * program's sources, go.mod, go.sum and the Go version: a second run reuses the binary without calling `go`.
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type ValidatorName = 'calico' | 'cilium' | 'network-policy-api' | 'istio' | 'istio-semantic';

/** One object's verdict, as the Go program prints it. */
export interface Verdict {
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** accepted | rejected | unsupported-kind (no type for it in the module) | not-calico / not-cilium / not-istio (ignored). */
  readonly outcome: string;
  readonly error?: string;
  /** Calico only: libcalico-go's answer alone. */
  readonly validatorError?: string;
  /** Calico only: the API server's CRD checks alone (schema, CEL, object metadata). */
  readonly crdErrors?: string[];
  /** istio-semantic only: Istio's validation warnings for an accepted object. */
  readonly warning?: string;
}

export interface BuiltValidator {
  readonly name: ValidatorName;
  readonly binary: string;
  /** Seconds the build took in this process; 0 when the cached binary was reused. */
  readonly buildSeconds: number;
  /**
   * Runs the program on a YAML (or JSON) document stream; one verdict per document. A stream is one estate
   * applied to one cluster (Calico: IPPools must not overlap one another) unless `independent` says its objects
   * are unrelated inputs.
   */
  run(stream: string, options?: { independent?: boolean }): Verdict[];
}

const SOURCE_DIR = path.join(__dirname);
/** The pinned Calico commit's whole projectcalico.org/v3 CRD bundle (reference data beside the repository). */
export const CALICO_CRD_BUNDLE = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'calico', 'manifests', 'v3_projectcalico_org.yaml');

/** Arguments each program runs with, and the reference files they read. */
const RUN_ARGS: { [name in ValidatorName]: { args: string[]; needs: string[] } } = {
  'calico': { args: ['-crds', CALICO_CRD_BUNDLE], needs: [CALICO_CRD_BUNDLE] },
  'cilium': { args: [], needs: [] },
  'network-policy-api': { args: [], needs: [] },
  'istio': { args: [], needs: [] },
  'istio-semantic': { args: [], needs: [] },
};
export const CACHE_DIR = process.env.CDK8S_EGRESS_VALIDATOR_CACHE
  ?? path.join(os.homedir(), '.cache', 'cdk8s-egress-lab', 'validators');

// The Calico pseudo-versions have no entry in the checksum database (it answers 404); go.sum pins their hashes.
const BUILD_ENV: { [name in ValidatorName]: { [key: string]: string } } = {
  'calico': { GONOSUMDB: 'github.com/projectcalico/*' },
  'cilium': {},
  'network-policy-api': {},
  'istio': {},
  'istio-semantic': {},
};

/** Builds (or reuses) the program; throws with go's own message when it cannot be built. */
export function buildValidator(name: ValidatorName): BuiltValidator {
  for (const file of RUN_ARGS[name].needs) {
    if (!fs.existsSync(file)) throw new Error(`reference data not found: ${file}`);
  }
  const dir = path.join(SOURCE_DIR, name);
  const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  const hash = createHash('sha256').update(goVersion);
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum').sort()) {
    hash.update(file).update(fs.readFileSync(path.join(dir, file)));
  }
  const binary = path.join(CACHE_DIR, `${name}-validate-${hash.digest('hex').slice(0, 16)}`);
  let buildSeconds = 0;
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Test files run in parallel workers: one builds, the others wait for its binary.
    const lock = `${binary}.lock`;
    if (!tryLock(lock)) {
      waitFor(() => fs.existsSync(binary) || !fs.existsSync(lock), 30 * 60);
      if (fs.existsSync(binary)) return validatorAt(name, binary, 0);
      if (!tryLock(lock)) throw new Error(`another process holds ${lock}`);
    }
    try {
      const tmp = `${binary}.${process.pid}.tmp`;
      const started = Date.now();
      const build = spawnSync('go', ['build', '-mod=readonly', '-trimpath', '-o', tmp, '.'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, CGO_ENABLED: '0', ...BUILD_ENV[name] },
        maxBuffer: 64 * 1024 * 1024,
      });
      if (build.error) throw new Error(`cannot run go build for the ${name} validator: ${build.error.message}`);
      if (build.status !== 0) throw new Error(`go build of the ${name} validator (${dir}) failed:\n${build.stderr}`);
      // Renamed into place so that no worker ever runs a half-written binary.
      fs.renameSync(tmp, binary);
      buildSeconds = (Date.now() - started) / 1000;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return validatorAt(name, binary, buildSeconds);
}

function tryLock(lock: string): boolean {
  try {
    fs.mkdirSync(lock);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A lock left by a process that died (older than an hour) is taken over.
    if (Date.now() - fs.statSync(lock).mtimeMs > 3600_000) {
      fs.rmSync(lock, { recursive: true, force: true });
      return tryLock(lock);
    }
    return false;
  }
}

function waitFor(done: () => boolean, seconds: number): void {
  const wake = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < seconds && !done(); i++) Atomics.wait(wake, 0, 0, 1000);
}

function validatorAt(name: ValidatorName, binary: string, buildSeconds: number): BuiltValidator {
  return {
    name,
    binary,
    buildSeconds,
    run(stream: string, options: { independent?: boolean } = {}): Verdict[] {
      const args = [...RUN_ARGS[name].args, ...(options.independent && name === 'calico' ? ['-independent'] : [])];
      const out = execFileSync(binary, args, { input: stream, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'] });
      return out.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Verdict);
    },
  };
}

/**
 * `describe` with the built validator: when it cannot be built, the block is skipped with one console message,
 * except in CI (CI=true), where it fails.
 */
export function describeWithValidator(name: ValidatorName, title: string, fn: (validator: () => BuiltValidator) => void): void {
  let built: BuiltValidator | undefined;
  let failure: string | undefined;
  try {
    built = buildValidator(name);
  } catch (e) {
    failure = (e as Error).message;
  }
  if (built) {
    const v = built;
    describe(title, () => fn(() => v));
    return;
  }
  if (process.env.CI) {
    describe(title, () => {
      test(`the ${name} validator builds (required in CI)`, () => {
        throw new Error(failure);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.log(`Skipping "${title}": the ${name} validator cannot be built here: ${failure?.split('\n').slice(0, 3).join(' ')}`);
  describe.skip(title, () => fn(() => { throw new Error('unreachable'); }));
}

/** JSON documents as a YAML stream (each JSON document is a YAML document). */
export function toStream(objects: readonly unknown[]): string {
  return objects.map(o => JSON.stringify(o)).join('\n---\n') + '\n';
}
