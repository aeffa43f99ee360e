/**
 * README's quick starts are the files scripts/packages/build-and-run.sh runs (examples/quickstart/): each
 * README block must be the file, byte for byte, so what a user copies is what CI ran.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

test.each([
  ['ts', 'typescript/main.ts'],
  ['yaml', 'typescript/cdk8s.yaml'],
  ['json', 'typescript/tsconfig.json'],
  ['python', 'python/main.py'],
  ['java', 'java/src/main/java/com/example/Main.java'],
  ['go', 'go/main.go'],
])('README has examples/quickstart/%s\'s %s as it is', (language, file) => {
  const text = fs.readFileSync(path.join(root, 'examples', 'quickstart', file), 'utf8');
  expect(readme).toContain(`\`\`\`${language}\n${text}\`\`\`\n`);
});

test('README\'s first screen says how to install and synthesize, in every language', () => {
  const firstScreen = readme.slice(0, readme.indexOf('\n---\n'));
  for (const line of [
    'npm ci && npm run synth',
    'npm test',
    'npm install cdk8s-egress cdk8s cdk8s-plus-28 constructs',
    'npx cdk8s synth',
    'app: npx ts-node main.ts',
    'npm pack',
    'pip install cdk8s-egress',
    'io.github.cdk8s-egress:cdk8s-egress',
    'go get github.com/cdk8s-egress/cdk8s-egress-go/cdk8segress',
  ]) {
    expect(firstScreen).toContain(line);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(firstScreen).toContain(`PyPI \`${pkg.jsii.targets.python.distName}\``);
  expect(firstScreen).toContain(`Maven \`${pkg.jsii.targets.java.maven.groupId}:${pkg.jsii.targets.java.maven.artifactId}\``);
  expect(firstScreen).toContain(`\`${pkg.jsii.targets.go.moduleName}/cdk8segress\``);
  expect(firstScreen.split('\n').length).toBeLessThan(50);
});
