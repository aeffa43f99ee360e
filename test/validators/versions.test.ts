/**
 * The Calico validator and the lab's toolchain build the same Calico: the pins in the validator's go.mod must be
 * the ones in scripts/lab/versions.env (the lab's single versions file).
 */
import * as fs from 'fs';
import * as path from 'path';

const VERSIONS = path.join(__dirname, '..', '..', 'scripts', 'lab', 'versions.env');
const GO_MOD = fs.readFileSync(path.join(__dirname, 'calico', 'go.mod'), 'utf8');

function pins(text: string): { [key: string]: string } {
  return Object.fromEntries(text.split('\n').map(l => l.match(/^([A-Z0-9_]+)=(\S*)/)).filter(m => m).map(m => [m![1], m![2]]));
}

// eslint-disable-next-line no-console
if (!fs.existsSync(VERSIONS)) console.log(`Skipping the pin comparison: ${VERSIONS} is not there (the lab's toolchain is not in this tree)`);
(fs.existsSync(VERSIONS) ? describe : describe.skip)('the Calico validator uses the lab\'s Calico pins', () => {
  const v = fs.existsSync(VERSIONS) ? pins(fs.readFileSync(VERSIONS, 'utf8')) : {};

  test('the Calico monorepo version', () => {
    expect(GO_MOD).toMatch(new RegExp(`^require github\\.com/projectcalico/calico ${v.CALICO_VERSION}\\b`, 'm'));
    expect(GO_MOD).toMatch(new RegExp(`github\\.com/projectcalico/calico/lib/std => github\\.com/projectcalico/calico/lib/std ${v.CALICO_VERSION}\\b`));
  });

  test('the api module', () => {
    expect(GO_MOD).toMatch(new RegExp(`github\\.com/projectcalico/api => github\\.com/projectcalico/api ${v.CALICO_API_VERSION}\\b`));
  });
});
