/**
 * What `npm pack` would publish: the compiled library, its jsii assembly, API.md, README and LICENSE, the
 * bundled ipaddr.js — and nothing from the sources, tests, examples, benchmarks or images.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');

function packedFiles(): string[] {
  if (!fs.existsSync(path.join(root, 'lib', 'index.js')) || !fs.existsSync(path.join(root, '.jsii'))) {
    // A fresh clone has no build output: compile exactly as `projen compile` does.
    execFileSync('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: root, stdio: 'pipe' });
  }
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out)[0].files as { path: string }[]).map(f => f.path).sort();
}

test('npm pack ships lib, .jsii, API.md, README, LICENSE and the bundled ipaddr.js only', () => {
  const files = packedFiles();
  for (const required of ['lib/index.js', 'lib/index.d.ts', 'lib/cli/main.js', '.jsii', 'API.md', 'README.md', 'LICENSE', 'package.json']) {
    expect(files).toContain(required);
  }
  expect(files.some(f => f.startsWith('node_modules/ipaddr.js/'))).toBe(true);
  const forbidden = files.filter(f => /^(src|test|examples|bench|images|docs|\.ci|\.projen|coverage|test-reports|dist)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'));
  expect(forbidden).toEqual([]);
  // The agents' heavy runtime dependencies never reach library users.
  expect(files.some(f => f.startsWith('lib/agent/'))).toBe(false);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(Object.keys(pkg.dependencies ?? {})).toEqual(['ipaddr.js']);
}, 300_000);
