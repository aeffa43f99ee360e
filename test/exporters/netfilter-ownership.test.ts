/**
 * The netfilter exports own only their own objects (issue 21, item 1). In a network namespace that already
 * has a firewall (FORWARD policy DROP, an SSH rule on INPUT, a chain of its own, NAT; for nftables other
 * tables, one of them named like ours), each file is loaded twice exactly as its header says ("Load with:"
 * is run verbatim by sh), then the listings are compared with what was there before: the host's rules and
 * policies untouched, our chain or table present once, the jump present once. "Remove with:" must then give
 * back exactly the listing from before.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packetEstate } from './packet-estate';
import { describeWithTools, hasTool, run } from './tooling';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { FirewallFormat } from '../../src/exporters/firewall-format';

const CHAIN = 'CDK8S-EGRESS';
const TABLE = 'cdk8s_egress';

/** The command after "<label>: " in the file's header comments (one place only). */
function headerCommand(content: string, label: string): string {
  const found = content.split('\n').filter(l => l.startsWith('#')).flatMap(l => [...l.matchAll(new RegExp(`${label}: (.*)$`, 'g'))].map(m => m[1]));
  expect(found).toHaveLength(1);
  return found[0];
}

let counter = 0;
/** Runs `fn` with a fresh network namespace (deleted afterwards) and a shell in it, started in `dir`. */
function inNamespace(dir: string, env: NodeJS.ProcessEnv, fn: (sh: (script: string) => string) => void): void {
  const ns = `fwown-${process.pid}-${counter++}`;
  const r = run('ip', ['netns', 'add', ns]);
  if (r.status !== 0) throw new Error(r.stderr);
  try {
    fn(script => {
      const out = run('ip', ['netns', 'exec', ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'sh', '-ec', `cd ${dir}\n${script}`]);
      if (out.status !== 0) throw new Error(`${script}\n${out.stderr}`);
      return out.stdout;
    });
  } finally {
    run('ip', ['netns', 'del', ns]);
  }
}

function exportDir(): { dir: string; files: { [file: string]: string } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwown-'));
  const files: { [file: string]: string } = {};
  for (const format of [FirewallFormat.IPTABLES, FirewallFormat.NFTABLES]) {
    for (const f of FirewallExport.render(packetEstate(), format)) {
      fs.writeFileSync(path.join(dir, f.path), f.content);
      files[f.path] = f.content;
    }
  }
  return { dir, files };
}

/** `iptables -S` as policies and rules per chain, in order. */
function chains(listing: string): { policies: { [chain: string]: string }; rules: { [chain: string]: string[] } } {
  const policies: { [chain: string]: string } = {};
  const rules: { [chain: string]: string[] } = {};
  for (const line of listing.split('\n').filter(Boolean)) {
    const [verb, chain, ...rest] = line.split(' ');
    if (verb === '-P') policies[chain] = rest.join(' ');
    else if (verb === '-N') rules[chain] = rules[chain] ?? [];
    else if (verb === '-A') rules[chain] = [...(rules[chain] ?? []), rest.join(' ')];
    else throw new Error(`unexpected line in iptables -S: ${line}`);
  }
  return { policies, rules };
}

const IPTABLES_HOST = (tool: string, net: string) => [
  `${tool} -P FORWARD DROP`,
  `${tool} -A INPUT -s ${net} -p tcp --dport 22 -j ACCEPT`,
  `${tool} -A INPUT -p tcp --dport 22 -j DROP`,
  `${tool} -N HOST-FORWARD`,
  `${tool} -A HOST-FORWARD -s ${net} -j ACCEPT`,
  `${tool} -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
  `${tool} -A FORWARD -j HOST-FORWARD`,
  `${tool} -t nat -A POSTROUTING -s ${net} -j MASQUERADE`,
].join('\n');

// The nftables back end under the plain names; the legacy one (x_tables) through names on PATH, when present.
const BACKENDS: [string, boolean][] = [['iptables-nft', false]];
if (hasTool('iptables-legacy') && hasTool('ip6tables-legacy')) BACKENDS.push(['iptables-legacy', true]);

function legacyPath(dir: string): string {
  const bin = path.join(dir, 'legacy-bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const tool of ['iptables', 'ip6tables']) {
    for (const suffix of ['', '-restore']) {
      const target = run('sh', ['-c', `command -v ${tool}-legacy${suffix}`]).stdout.trim();
      if (!fs.existsSync(path.join(bin, `${tool}${suffix}`))) fs.symlinkSync(target, path.join(bin, `${tool}${suffix}`));
    }
  }
  return `${bin}:${process.env.PATH}`;
}

describeWithTools('netfilter exports own only their chain or table (loaded twice as the header says)', ['ip', 'iptables', 'ip6tables', 'nft'], true, () => {
  const { dir, files } = exportDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe.each(BACKENDS)('%s', (_backend, legacy) => {
    const env = legacy ? { PATH: legacyPath(dir) } : {};

    test.each([['egress.rules.v4', 'iptables', '10.0.0.0/8'], ['egress.rules.v6', 'ip6tables', 'fd00::/8']])('%s', (file, tool, net) => {
      const load = headerCommand(files[file], 'Load with');
      const ours = files[file].split('\n').filter(l => l.startsWith(`-A ${CHAIN} `));
      inNamespace(dir, env, sh => {
        sh(IPTABLES_HOST(tool, net));
        const before = sh(`${tool} -S`);
        const natBefore = sh(`${tool} -t nat -S`);
        sh(load);
        const once = sh(`${tool} -S`);
        sh(load);
        const twice = sh(`${tool} -S`);
        // Loading again changes nothing.
        expect(twice).toBe(once);
        const was = chains(before);
        const now = chains(twice);
        // Built-in policies (FORWARD DROP) as they were.
        expect(now.policies).toEqual(was.policies);
        // Every chain but FORWARD and ours exactly as it was (the SSH rules, the host's own chain).
        const others = (c: ReturnType<typeof chains>) => Object.fromEntries(Object.entries(c.rules).filter(([k]) => k !== 'FORWARD' && k !== CHAIN));
        expect(others(now)).toEqual(others(was));
        // FORWARD: the host's rules in their order, after one jump to our chain.
        expect(now.rules.FORWARD).toEqual([`-j ${CHAIN}`, ...was.rules.FORWARD]);
        // Our chain holds the file's rules, once.
        expect(now.rules[CHAIN]).toHaveLength(ours.length);
        expect(sh(`${tool} -t nat -S`)).toBe(natBefore);
        // Removing gives back exactly what was there.
        sh(headerCommand(files[file], 'Remove with'));
        expect(sh(`${tool} -S`)).toBe(before);
      });
    });
  });

  /** `nft -j list ruleset` as each table's objects (table, chains, sets, rules), keyed by family and name. */
  function tables(json: string): { [table: string]: unknown[] } {
    const out: { [table: string]: unknown[] } = {};
    for (const item of (JSON.parse(json).nftables as { [kind: string]: any }[])) {
      const [kind, value] = Object.entries(item)[0];
      if (kind === 'metainfo') continue;
      const key = kind === 'table' ? `${value.family} ${value.name}` : `${value.family} ${value.table}`;
      out[key] = [...(out[key] ?? []), { [kind]: value }];
    }
    return out;
  }

  test('egress.nft', () => {
    const load = headerCommand(files['egress.nft'], 'Load with');
    expect(files['egress.nft']).not.toMatch(/flush ruleset/);
    inNamespace(dir, {}, sh => {
      sh(`nft -f - <<'EOF'
table inet host_fw {
  chain input { type filter hook input priority 0; policy drop; tcp dport 22 ip saddr 10.0.0.0/8 accept; }
  chain forward { type filter hook forward priority 0; policy drop; ct state established,related accept; }
}
table ip host_nat {
  chain post { type nat hook postrouting priority 100; ip saddr 10.0.0.0/8 masquerade; }
}
table inet ${TABLE}_node {
  set steered { type ipv4_addr; elements = { 192.0.2.1 }; }
}
EOF`);
      const before = tables(sh('nft -j list ruleset'));
      sh(load);
      const once = tables(sh('nft -j list ruleset'));
      sh(load);
      const twice = tables(sh('nft -j list ruleset'));
      // Every other table exactly as it was, handles included: not even re-created.
      const others = (t: { [table: string]: unknown[] }) => Object.fromEntries(Object.entries(t).filter(([k]) => k !== `inet ${TABLE}`));
      expect(others(twice)).toEqual(before);
      // Ours: one table, the same content after the second load as after the first (handles aside).
      expect(Object.keys(twice).filter(k => k === `inet ${TABLE}`)).toHaveLength(1);
      const withoutHandles = (objects: unknown[]) => JSON.parse(JSON.stringify(objects, (k, v) => (k === 'handle' ? undefined : v)));
      expect(withoutHandles(twice[`inet ${TABLE}`])).toEqual(withoutHandles(once[`inet ${TABLE}`]));
      const chainsOfOurs = twice[`inet ${TABLE}`].filter((o: any) => o.chain).map((o: any) => `${o.chain.name} ${o.chain.hook} ${o.chain.policy}`);
      expect(chainsOfOurs).toEqual(['forward forward accept']);
      sh(headerCommand(files['egress.nft'], 'Remove with'));
      expect(tables(sh('nft -j list ruleset'))).toEqual(before);
    });
  });
});
