/**
 * Which sources a zone's firewall export allows, per family, as the real tools read it: the nftables file loaded by
 * `nft -f` and listed back as JSON, the iptables files by `iptables-restore`/`ip6tables-restore` and listed back by
 * `iptables-save`, each in a scratch network namespace of its own (the given prefix), removed afterwards.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nsRun, run } from '../lab';

export interface SourcesByFamily {
  readonly v4: string[];
  readonly v6: string[];
}

/** The sources of every accept (nftables) or RETURN-before-the-drop (iptables) rule, per family, sorted. */
export function exportedSources(files: Record<string, string>, prefix: string): { nftables: SourcesByFamily; iptables: SourcesByFamily } {
  const netns = `${prefix}-fw`;
  spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  run('ip', ['netns', 'add', netns]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-fw-`));
  try {
    const file = (name: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, files[name]);
      return f;
    };
    nsRun(netns, ['nft', '-f', file('egress.nft')]);
    const nft = JSON.parse(nsRun(netns, ['nft', '-j', 'list', 'table', 'inet', 'cdk8s_egress'])).nftables as any[];
    nsRun(netns, ['iptables-restore', '--noflush', file('egress.rules.v4')]);
    nsRun(netns, ['ip6tables-restore', '--noflush', file('egress.rules.v6')]);
    const saved = { v4: nsRun(netns, ['iptables-save', '-t', 'filter']), v6: nsRun(netns, ['ip6tables-save', '-t', 'filter']) };
    return { nftables: nftAccepted(nft), iptables: { v4: iptablesReturned(saved.v4), v6: iptablesReturned(saved.v6) } };
  } finally {
    spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** nft's JSON: each accept rule's `ip saddr @set` / `ip6 saddr @set` match, the set's elements. */
function nftAccepted(objects: any[]): SourcesByFamily {
  const sets = new Map<string, string[]>(objects.filter((o) => o.set).map((o) => [o.set.name, (o.set.elem ?? []).map(elementText)]));
  const out = { v4: new Set<string>(), v6: new Set<string>() };
  for (const rule of objects.filter((o) => o.rule).map((o) => o.rule)) {
    if (!rule.expr.some((e: any) => 'accept' in e)) continue;
    for (const e of rule.expr) {
      const left = e.match?.left?.payload;
      if (left?.field !== 'saddr') continue;
      const right = e.match.right;
      const values = typeof right === 'string' && right.startsWith('@') ? sets.get(right.slice(1)) ?? [] : [elementText(right)];
      for (const v of values) out[left.protocol === 'ip6' ? 'v6' : 'v4'].add(v);
    }
  }
  return { v4: [...out.v4].sort(), v6: [...out.v6].sort() };
}

function elementText(e: any): string {
  if (typeof e === 'string') return e;
  if (e.elem) return elementText(e.elem.val);
  if (e.prefix) return `${e.prefix.addr}/${e.prefix.len}`;
  throw new Error(`unexpected nft set element ${JSON.stringify(e)}`);
}

/** iptables-save's view of the export's chain: the sources of its RETURN rules (conntrack's aside). */
function iptablesReturned(saved: string): string[] {
  const sources = saved.split('\n').filter((l) => l.startsWith('-A CDK8S-EGRESS ') && / -j RETURN$/.test(l) && !/--ctstate/.test(l))
    .map((l) => / -s (\S+)/.exec(l)?.[1] ?? 'any');
  return [...new Set(sources)].sort();
}
