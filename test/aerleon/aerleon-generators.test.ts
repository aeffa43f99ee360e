/**
 * Aerleon turns the example's Aerleon export into every platform it targets: `aclgen` exactly as the policy's header
 * says, then every generator Aerleon 1.18 registers, one by one (generate.py), with the export's own headers or, for
 * the generators it leaves out, the headers those would need. For each platform the export targets, the generated
 * text must carry every source and destination prefix of the families its filters declare, and every zone's deny
 * (a generator that drops a source widens the rule: that is how gcp_hf was found out). nftables output goes through
 * `nft -c`, JSON outputs through a JSON parser. Prints the tally: how many generate, which fail and why.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { aerleonOrSkip, runAclgen, runDriver } from './aerleon';
import { EgressEstate } from '../../examples/app/main';
import { netmask } from '../../src/exporters/addresses';
import { AERLEON_LEFT_OUT, AERLEON_TARGETS } from '../../src/exporters/formats/aerleon-targets';
import { hasTool, isolatedPrefix, run } from '../exporters/tooling';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

interface Verdict { ok: boolean; files: Record<string, string>; error?: string; warnings: string[] }
interface InventoryRule { id: string; ipVersion: number; sources: { cidr: string }[]; destinations: { cidr: string }[] }
interface Inventory { zones: { name: string; sources: { cidr: string; ipVersion: number }[]; rules: InventoryRule[] }[] }

// The headers the left-out generators would need (their reasons are in AERLEON_LEFT_OUT).
const LEFT_OUT_HEADERS: Record<string, string[]> = {
  gce: ['cdk8s-egress EGRESS mixed'],
  gcp_hf: ['cdk8s-egress EGRESS mixed'],
  cloudarmor: ['cdk8s-egress'],
  pcap: ['cdk8s-egress mixed'],
  k8s: ['EGRESS'],
  windows_advfirewall: ['out inet', 'out inet6'],
};

/** The ways platforms print a prefix: CIDR, address and netmask or wildcard, a host. */
function prefixForms(cidr: string): string[] {
  const [addr, lenText] = cidr.split('/');
  const len = Number(lenText);
  if (addr.includes(':')) return len === 128 ? [cidr, addr] : [cidr];
  const mask = netmask(len);
  const wildcard = mask.split('.').map(o => 255 - Number(o)).join('.');
  return [cidr, `${addr} ${mask}`, `${addr} ${wildcard}`, `${addr}/${mask}`, ...(len === 32 ? [`host ${addr}`, `>${addr}<`, `"${addr}"`] : [])];
}

const venv = aerleonOrSkip('Aerleon generators');
const maybe = venv ? describe : describe.skip;

maybe('Aerleon generates every platform the export targets (example estate)', () => {
  let dir = '';
  let fw = '';
  let inventory: Inventory;
  let verdicts: Record<string, Verdict> & { registry?: string[] };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aerleon-gen-'));
    const app = new App({ outdir: dir });
    new EgressEstate(app, 'egress');
    expectWarnings(exampleWarnings(), () => app.synth());
    fw = path.join(dir, 'firewall');
    inventory = JSON.parse(fs.readFileSync(path.join(fw, 'inventory.json'), 'utf8'));
    const targets = Object.fromEntries([
      ...AERLEON_TARGETS.map(t => [t.target, null]),
      ...AERLEON_LEFT_OUT.map(l => [l.target, LEFT_OUT_HEADERS[l.target]]),
    ]);
    verdicts = runDriver(venv!, 'generate.py', {
      policies: path.join(fw, 'aerleon', 'policies'), definitions: path.join(fw, 'aerleon', 'def'), terms: 'includes/cdk8s-egress-terms.yaml', targets,
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('every generator Aerleon registers is either targeted or left out with a reason', () => {
    const known = [...AERLEON_TARGETS.map(t => t.target), ...AERLEON_LEFT_OUT.map(l => l.target)].sort();
    expect(verdicts.registry).toEqual(known);
    expect(known).toHaveLength(33);
  });

  test('aclgen, as the policy header says, writes one file per targeted platform and exits 0', () => {
    const out = path.join(dir, 'acl');
    const r = runAclgen(venv!, fw, out);
    expect(r.log.match(/error|Traceback/gi) ?? []).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.files.map(f => f.replace(/^cdk8s-egress-/, '').replace(/\..*$/, '')).sort()).toEqual(AERLEON_TARGETS.map(t => t.target).sort());
  });

  test.each(AERLEON_TARGETS.map(t => [t.target, t] as const))('%s: generates, with every prefix and deny of its families', (target, t) => {
    const v = verdicts[target];
    expect(v.error ?? '').toBe('');
    const text = Object.values(v.files).join('\n');
    const families = [...new Set(t.filters.flatMap(f => f.families))];
    const missing: string[] = [];
    for (const zone of inventory.zones) {
      for (const rule of zone.rules.filter(r => families.includes(r.ipVersion))) {
        for (const a of [...rule.sources, ...rule.destinations]) {
          if (!prefixForms(a.cidr).some(f => text.includes(f))) missing.push(`${rule.id} ${a.cidr}`);
        }
      }
      for (const s of zone.sources.filter(x => families.includes(x.ipVersion))) {
        if (!prefixForms(s.cidr).some(f => text.includes(f))) missing.push(`${zone.name} deny ${s.cidr}`);
      }
    }
    expect(missing).toEqual([]);
    for (const [suffix, content] of Object.entries(v.files)) {
      if (/json|srl_acl|oacl|nsxt/.test(suffix)) expect(() => JSON.parse(content)).not.toThrow();
    }
  });

  test('Aerleon\'s nftables output passes nft -c', () => {
    const prefix = isolatedPrefix();
    if (!hasTool('nft') || !prefix) {
      if (process.env.CI) throw new Error('nft or an unprivileged network namespace is missing; CI must run this');
      return;
    }
    const file = path.join(dir, 'aerleon.nft');
    fs.writeFileSync(file, verdicts.nftables.files['.nft']);
    const r = run(prefix[0], [...prefix.slice(1), 'nft', '-c', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('the generators left out fail, or widen, as AERLEON_LEFT_OUT says', () => {
    const sources = inventory.zones.flatMap(z => z.sources.map(s => s.cidr));
    for (const { target } of AERLEON_LEFT_OUT) {
      const v = verdicts[target];
      if (target === 'gcp_hf') {
        // generates, but without a single source address: every allow and deny would cover every VM
        expect(v.ok).toBe(true);
        expect(sources.filter(s => Object.values(v.files).join('\n').includes(s))).toEqual([]);
      } else if (target === 'windows_advfirewall') {
        // generates, but a zone's deny is a block rule, and Windows applies block rules before any allow
        expect(v.ok).toBe(true);
        expect(Object.values(v.files).join('\n')).toMatch(/action=block/);
      } else if (target === 'pcap') {
        expect(v.ok).toBe(true);
        expect(Object.keys(v.files).sort()).toEqual(['-accept.pcap', '-deny.pcap']);
      } else {
        expect(v.ok).toBe(false);
      }
    }
    expect(verdicts.gce.error).toMatch(/Egress rules cannot include "sourceRanges"/);
    expect(verdicts.k8s.error).toMatch(/Egress rules cannot include "source-address"/);
    expect(verdicts.cloudarmor.error).toMatch(/unsupported keywords \(destination_address destination_port protocol\)/);
  });

  test('aclgen cannot write pcap files (the reason pcap is left out)', () => {
    const pol = path.join(fw, 'aerleon', 'policies', 'pol', 'cdk8s-egress-pcap.yaml');
    fs.writeFileSync(pol, `filters:\n  - header:\n      targets:\n        pcap: ${LEFT_OUT_HEADERS.pcap[0]}\n    terms:\n      - include: includes/cdk8s-egress-terms.yaml\n`);
    const r = runAclgen(venv!, fw, path.join(dir, 'acl-pcap'));
    fs.rmSync(pol);
    expect(r.status).not.toBe(0);
    expect(r.log).toMatch(/Invalid suffix '-accept\.pcap'/);
  });

  afterAll(() => {
    if (!verdicts) return;
    const lines = [...AERLEON_TARGETS.map(t => t.target), ...AERLEON_LEFT_OUT.map(l => l.target)].map(t => {
      const v = verdicts[t];
      return `  ${t}: ${v.ok ? 'generates' : `fails: ${(v.error ?? '').split('\n')[0].slice(0, 160)}`}`;
    });
    const clean = AERLEON_TARGETS.filter(t => verdicts[t.target]?.ok).length;
    // eslint-disable-next-line no-console
    console.log(`Aerleon ${verdicts.registry?.length} generators: ${clean} targeted and generating, ${AERLEON_LEFT_OUT.length} left out\n${lines.join('\n')}`);
  });
});
