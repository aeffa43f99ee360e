/**
 * Golden files: the example estate's export in every format, reviewed by hand, compared byte for byte, so
 * any change of output is a visible diff. Regenerate only on purpose: UPDATE_GOLDEN=1 npx jest test/exporters/golden
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { EgressEstate } from '../../examples/app/main';
import { AERLEON_TARGETS } from '../../src/exporters/formats/aerleon-targets';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

const GOLDEN = path.join(__dirname, 'golden');

function synthExample(): { dir: string; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwx-golden-'));
  const app = new App({ outdir: dir });
  new EgressEstate(app, 'egress');
  expectWarnings(exampleWarnings(), () => app.synth());
  const fw = path.join(dir, 'firewall');
  return { dir, files: filesUnder(fw) };
}

/** Every file under `root`, as "/"-separated relative paths, sorted (Aerleon's export is a folder tree). */
function filesUnder(root: string): string[] {
  return fs.readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter(f => fs.statSync(path.join(root, f)).isFile())
    .map(f => f.split(path.sep).join('/'))
    .sort();
}

describe('golden files (example estate)', () => {
  const { dir, files } = synthExample();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the example writes every format into <outdir>/firewall', () => {
    expect(files.filter(f => !f.startsWith('aerleon/'))).toEqual([
      'aws-cloudformation.json', 'aws-egress.tf.json', 'azure-nsg.json', 'cisco-asa.cfg', 'egress.nft', 'egress.rules.v4', 'egress.rules.v6',
      'fortigate.conf', 'fortigate.remove.conf', 'gcp-firewall.json', 'inventory.csv', 'inventory.json', 'juniper-srx.set', 'panos.remove.set', 'panos.set',
    ]);
    expect(files.filter(f => f.startsWith('aerleon/'))).toEqual([
      'aerleon/def/cdk8s-egress-networks.yaml', 'aerleon/def/cdk8s-egress-services.yaml', 'aerleon/policies/includes/cdk8s-egress-terms.yaml',
      ...AERLEON_TARGETS.map(t => `aerleon/policies/pol/cdk8s-egress-${t.target}.yaml`),
    ].sort());
  });

  if (process.env.UPDATE_GOLDEN) {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(GOLDEN, f)), { recursive: true });
      fs.copyFileSync(path.join(dir, 'firewall', f), path.join(GOLDEN, f));
    }
  }

  test.each(files)('%s matches its golden file', (file) => {
    const goldenFile = path.join(GOLDEN, file);
    expect(fs.existsSync(goldenFile) ? '' : `missing golden file ${goldenFile} (UPDATE_GOLDEN=1 to create it)`).toBe('');
    expect(fs.readFileSync(path.join(dir, 'firewall', file), 'utf8')).toBe(fs.readFileSync(goldenFile, 'utf8'));
  });

  test('no golden file is left without an output', () => {
    expect(filesUnder(GOLDEN)).toEqual(files);
  });

  test('a second synth of a fresh app writes the same bytes (no timestamps, stable order)', () => {
    const again = synthExample();
    for (const f of files) {
      expect(fs.readFileSync(path.join(again.dir, 'firewall', f), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'firewall', f), 'utf8'));
    }
    fs.rmSync(again.dir, { recursive: true, force: true });
  });

  test('Testing.synth (no outdir of our own) writes too, once per app', () => {
    const app = Testing.app();
    const chart = new EgressEstate(app, 'egress');
    expectWarnings(exampleWarnings(), () => Testing.synth(chart));
    expect(fs.existsSync(path.join(app.outdir, 'firewall', 'egress.nft'))).toBe(true);
  });
});
