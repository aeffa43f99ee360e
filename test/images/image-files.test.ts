/**
 * Fast checks of the image build inputs (always run): the agent's production dependencies
 * (images/agent-package.json) cover every package the agent imports, at the versions the repository
 * is tested with, and both Dockerfiles run the agent the way the constructs expect.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(REPO, p), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/**
 * Bare package names imported or required by what tsconfig.agent.json compiles: its includes plus every
 * file they import by relative path (src/model's value objects come in that way).
 */
function importedPackages(): Set<string> {
  const names = new Set<string>();
  const todo = [...sources('src/agent'), ...sources('src/datapath')];
  const seen = new Set(todo);
  while (todo.length > 0) {
    const f = todo.pop()!;
    for (const m of read(f).matchAll(/(?:from\s+|require\(|import\()\s*['"]([^'"]+)['"]/g)) {
      if (m[1].startsWith('.')) {
        const base = join(dirname(f), m[1]);
        const file = [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(join(REPO, c)));
        if (file && !seen.has(file)) {
          seen.add(file);
          todo.push(file);
        }
        continue;
      }
      if (m[1].startsWith('node:')) continue;
      const parts = m[1].split('/');
      names.add(m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return names;
}

describe('image build inputs', () => {
  const agentPkg = JSON.parse(read('images/agent-package.json'));
  const agentLock = JSON.parse(read('images/agent-package-lock.json'));
  const rootLock = JSON.parse(read('package-lock.json'));

  test('every package the agent imports is a production dependency of the images', () => {
    const deps = Object.keys(agentPkg.dependencies).sort();
    expect(deps).toEqual([...importedPackages()].sort());
  });

  test('the images pin the versions the repository builds and tests the agent with', () => {
    for (const [name, version] of Object.entries(agentPkg.dependencies)) {
      expect(`${name}@${version}`).toBe(`${name}@${rootLock.packages[`node_modules/${name}`].version}`);
      expect(`${name}@${agentLock.packages[`node_modules/${name}`].version}`).toBe(`${name}@${version}`);
    }
    expect(agentLock.packages[''].dependencies).toEqual(agentPkg.dependencies);
  });

  test('no production dependency needs its install script or builds native code (one context for amd64 and arm64)', () => {
    const pkgs = Object.entries(agentLock.packages).filter(([k]) => k !== '') as Array<[string, any]>;
    expect(pkgs.filter(([, p]) => p.gypfile).map(([k]) => k)).toEqual([]);
    // koffi 2.x's install script only picks one of the prebuilt binaries its package carries for every platform;
    // the context is installed with --ignore-scripts, and koffi loads its linux_x64/linux_arm64 build directly.
    expect(pkgs.filter(([, p]) => p.hasInstallScript).map(([k]) => k)).toEqual(['node_modules/koffi']);
    expect(read('scripts/build-images.sh')).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(pkgs.filter(([, p]) => p.dev).map(([k]) => k)).toEqual([]);
  });

  test.each(['egress-gateway', 'egress-nat'])('%s Dockerfile: standard base, the agent\'s tools, entrypoint and labels', (name) => {
    const df = read(`images/${name}/Dockerfile`);
    expect(df).toMatch(/^ARG BASE_IMAGE=node:22-bookworm-slim\nFROM \$\{BASE_IMAGE\}$/m);
    expect(df).toMatch(/apt-get install -y --no-install-recommends nftables iproute2 conntrack/);
    expect(df).toContain('ENTRYPOINT ["node", "--enable-source-maps", "/app/agent/main.js"]');
    expect(df).toContain(`org.opencontainers.image.title="${name}"`);
    expect(df).toContain('org.opencontainers.image.version="${VERSION}"');
    expect(df).toMatch(/^USER 0:0$/m);
    // Only what tsconfig.agent.json emits and npm ci installs: no TypeScript, no tests, no dev deps.
    expect([...df.matchAll(/^COPY (.*)$/gm)].map((m) => m[1])).toEqual([
      'build/package.json build/package-lock.json /app/',
      'build/node_modules/ /app/node_modules/',
      'build/datapath/ /app/datapath/',
      'build/model/ /app/model/',
      'build/agent/ /app/agent/',
    ]);
    const include = JSON.parse(read('tsconfig.agent.json')).include as string[];
    expect(include.map((p) => p.split('/')[1]).sort()).toEqual(['agent', 'datapath']); // src/model files come in through imports
  });

  test('the two Dockerfiles differ only in their descriptions and ports', () => {
    const strip = (name: string) => read(`images/${name}/Dockerfile`).split('\n')
      .filter((l) => !/^#|org\.opencontainers\.image\.(title|description)|^EXPOSE/.test(l)).join('\n');
    expect(strip('egress-nat')).toBe(strip('egress-gateway'));
  });
});
