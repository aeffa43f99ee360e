/**
 * The example estate's whole output (manifests, firewall files, reviewers' files) must not change by a
 * single byte when the code is reorganised: every file is compared with the SHA-256 recorded in
 * example-output-digests.json, for every backend. The digests were taken from `npm run synth` of the code
 * before the pipeline renovation (issue 17); regenerate them only for a change that means to alter the output,
 * with `UPDATE_EXAMPLE_DIGESTS=1 npx jest test/synth/example-output-identity.test.ts`.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { YamlOutputType } from 'cdk8s';
import { EgressEstate } from '../../examples/app/main';
import { EgressApp } from '../../src';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

const MANIFEST = path.join(__dirname, 'example-output-digests.json');
const BACKENDS = ['calico', 'calico-enterprise', 'cilium', 'kubernetes', 'cluster-network-policy'];

/** Synthesizes the example as `BACKEND=<backend> OUTDIR=<dir> npm run synth` does, into a fresh folder. */
function synthExample(backend: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${backend}-`));
  const before = process.env.BACKEND;
  process.env.BACKEND = backend;
  try {
    const app = new EgressApp({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    new EgressEstate(app, 'egress');
    expectWarnings(exampleWarnings(backend), () => app.synth());
  } finally {
    if (before === undefined) delete process.env.BACKEND;
    else process.env.BACKEND = before;
  }
  return outdir;
}

/** Every file below `dir` (relative, "/"-separated) with its SHA-256, sorted by path. */
function digests(dir: string): { [file: string]: string } {
  const out: [string, string][] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push([path.relative(dir, p).split(path.sep).join('/'), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')]);
    }
  };
  walk(dir);
  return Object.fromEntries(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const expected: { [backend: string]: { [file: string]: string } } = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
const actual: { [backend: string]: { [file: string]: string } } = {};

describe('the example\'s output is byte-identical to the recorded digests', () => {
  afterAll(() => {
    if (process.env.UPDATE_EXAMPLE_DIGESTS === '1' && Object.keys(actual).length === BACKENDS.length) {
      fs.writeFileSync(MANIFEST, `${JSON.stringify(actual, null, 2)}\n`);
    }
  });

  test.each(BACKENDS)('BACKEND=%s', backend => {
    const dir = synthExample(backend);
    try {
      actual[backend] = digests(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (process.env.UPDATE_EXAMPLE_DIGESTS === '1') return;
    // Same files, and each with the same bytes.
    expect(Object.keys(actual[backend])).toEqual(Object.keys(expected[backend]));
    expect(actual[backend]).toEqual(expected[backend]);
  });

  test('the manifest covers every backend and every kind of output', () => {
    expect(Object.keys(expected).sort()).toEqual([...BACKENDS].sort());
    for (const b of BACKENDS) {
      const files = Object.keys(expected[b]);
      expect(files).toEqual(expect.arrayContaining(['egress.k8s.yaml', 'egress-model.json', 'egress-map.md', 'firewall/egress.nft']));
      expect(Object.values(expected[b]).every(h => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    }
  });
});
