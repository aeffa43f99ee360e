/**
 * The nftables export as the kernel evaluates it: the export is loaded with `nft -f` into a fresh network
 * namespace (unshare -rn) and each probe is a real packet (TCP SYN or UDP datagram) sent from the source
 * address the perimeter would see. Only TCP and UDP are probed (no raw sockets without root).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface PerimeterProbe {
  readonly src: string;
  readonly dst: string;
  readonly protocol: 6 | 17;
  readonly port: number;
}

export function nftablesAvailable(): string {
  for (const tool of ['nft', 'ip', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `missing ${tool} (apt-get install -y nftables iproute2 util-linux)`;
  }
  if (spawnSync('unshare', ['-rn', 'true']).status !== 0) return 'cannot create a network namespace (unshare -rn)';
  return '';
}

/** Which probes the export lets through. */
export function probeNftables(ruleset: string, probes: PerimeterProbe[]): boolean[] {
  if (probes.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meaning-nft-'));
  const file = path.join(dir, 'probe.json');
  fs.writeFileSync(file, JSON.stringify({ ruleset, probes: probes.map((p, i) => ({ ...p, sport: 20000 + i })) }));
  const r = spawnSync('unshare', ['-rn', process.execPath, path.join(__dirname, 'nftables-probe.js'), file], { encoding: 'utf8', timeout: 120_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`nftables probe failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}
