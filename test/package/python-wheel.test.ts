/**
 * The Python package builds here (jsii-pacmak + Debian's setuptools/wheel, no PyPI) and carries the API.
 * Skips without Debian's python3-wheel, except in CI, whose .ci/run installs it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const haveTools = fs.existsSync('/usr/bin/python3')
  && (() => { try { execFileSync('/usr/bin/python3', ['-c', 'import wheel, setuptools'], { stdio: 'ignore' }); return true; } catch { return false; } })();

(haveTools || process.env.CI ? test : test.skip)('scripts/package-python.sh builds a wheel with the jsii bindings', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-py-'));
  try {
    execFileSync(path.join(root, 'scripts', 'package-python.sh'), [out], { cwd: root, stdio: 'pipe' });
    const wheels = fs.readdirSync(out).filter(f => f.endsWith('.whl'));
    expect(wheels).toHaveLength(1);
    const listing = execFileSync('/usr/bin/python3', ['-c',
      'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print("\\n".join(z.namelist())); print(z.read("cdk8s_egress/__init__.py").decode())',
      path.join(out, wheels[0])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(listing).toMatch(/cdk8s_egress\/_jsii\/cdk8s-egress@[0-9.]+\.jsii\.tgz/);
    for (const cls of ['EgressZone', 'NatPool', 'DestinationSet', 'FirewallExport', 'Selector', 'CalicoGlobalNetworkPolicy']) {
      expect(listing).toContain(`class ${cls}(`);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 300_000);

if (!haveTools && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.log('Skipping the Python wheel test: install python3-setuptools python3-wheel python3-pip (Debian)');
}
