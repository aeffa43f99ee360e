import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHOP_T0, TYPE, emitterFlow, hit, KIND, ACTION, rolloutApp, shopFlows } from './rollout-fixture';
import { CanReach, Destination, Port } from '../../src';
import { main } from '../../src/cli/main';
import { SHARED_SLASH24_NOTE_AT } from '../../src/review/rollout/address-join';
import { RolloutReport } from '../../src/review/rollout/rollout-report';

// The rollout report joined with the node agents' address observer (--addresses): Goldmane says what would be
// denied, the observer what address was behind "pub"/"pvt".

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-addresses-'));
const { doc } = rolloutApp();
const modelFile = write('egress-model.json', JSON.stringify(doc));
const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

type Entry = [address: string, port: number, zone?: string, protocol?: string];
/** One node's ObservedAddresses document, as `main.js observed-addresses` prints it. */
function observerDoc(node: string, entries: Entry[], unrecorded = 0): object {
  const zones = [...new Set(entries.map(e => e[2] ?? 'shop'))].map(zone => ({
    zone,
    timeoutSeconds: 604800,
    maxAddresses: 4096,
    unrecorded,
    addresses: entries.filter(e => (e[2] ?? 'shop') === zone).map(([address, port, , protocol]) => ({
      address, protocol: protocol ?? 'tcp', port, connections: 2, firstSeen: iso(SHOP_T0 + 20), lastSeen: iso(SHOP_T0 + 40),
    })),
  }));
  return { kind: 'ObservedAddresses', node, observedAt: iso(SHOP_T0 + 100), zones };
}

function report(flowsFile: string, ...docs: object[]): { code: number; report: RolloutReport; err: string[] } {
  const addresses = write(`addresses-${Math.random()}.json`, docs.map(d => JSON.stringify(d)).join('\n'));
  const out: string[] = [];
  const err: string[] = [];
  const code = main(['rollout-report', '--app', modelFile, '--flows', flowsFile, '--addresses', addresses, '-o', 'json'], l => out.push(l), l => err.push(l));
  return { code, report: out.length ? JSON.parse(out.join('\n')) : undefined as any, err };
}

const weekFile = write('flows.jsonl', shopFlows().map(f => JSON.stringify(f)).join('\n'));
const denyExternal = hit(KIND.StagedGlobalNetworkPolicy, 'egress-shop', ACTION.Deny, 2);
const pubFlows = (...ports: number[]) => write(`pub-${ports.join('-')}.jsonl`, ports.map(port =>
  JSON.stringify(emitterFlow({ destType: TYPE.Network, destName: 'pub', port, pending: [denyExternal], start: SHOP_T0 }))).join('\n'));

describe('rollout-report --addresses: the addresses behind Goldmane\'s pub/pvt', () => {
  test('the public address the observer recorded is proposed as a /32; what Felix would name otherwise is not', () => {
    const { code, report: r } = report(weekFile,
      observerDoc('node1', [
        ['198.18.0.7', 8443], // the one: public, the group's port, in no set of the app
        ['203.0.113.5', 8443], // in the partners set: Felix would have named the set, not "pub"
        ['10.1.2.3', 8443], // private: behind "pvt", not "pub"
        ['198.18.0.9', 9999], // a port Goldmane did not report as denied
      ]),
      observerDoc('node2', [['198.18.0.8', 8443, 'ops']])); // another zone
    expect(code).toBe(1);
    const pub = r.groups.find(g => g.destination.name === 'pub')!;
    expect(pub.proposal).toMatchObject({ complete: true, cidrs: ['198.18.0.7/32'], ports: [{ protocol: 'tcp', port: 8443 }] });
    expect(pub.proposal!.code).toBe('shop.allow(\'public-tcp-8443\', { to: [Destination.cidrs([\'198.18.0.7/32\'])], ports: [Port.tcp(8443)] });');
    // the other groups are as without --addresses
    expect(r.groups.find(g => g.destination.name === 'github')!.proposal!.destinationSet).toBe('github');
  });

  test('the proposed rule, applied, allows exactly the observed address and port (can-reach)', () => {
    const pub = report(weekFile, observerDoc('node1', [['198.18.0.7', 8443]])).report.groups.find(g => g.destination.name === 'pub')!;
    const p = pub.proposal!;
    const rule = { to: [Destination.cidrs(p.cidrs!)], ports: p.ports.map(x => Port.tcp(x.port)) };
    const { doc: after } = rolloutApp({ shopRules: shop => shop.allow(p.name, rule) });
    const ask = (to: string) => CanReach.evaluate(after, { namespace: 'shop', ...CanReach.parseDestination(to) });
    expect(ask('198.18.0.7:8443/tcp').allowed).toBe(true);
    expect(ask('198.18.0.7:8444/tcp').allowed).toBe(false);
    expect(ask('198.18.0.6:8443/tcp').allowed).toBe(false);
  });

  test(`exact /32s by default; ${SHARED_SLASH24_NOTE_AT} or more in one /24 get a note, never a wider prefix`, () => {
    const many: Entry[] = [1, 2, 3, 4, 5].map(i => [`198.18.1.${i}`, 8443]);
    const three: Entry[] = [1, 2, 3].map(i => [`198.18.2.${i}`, 8443]);
    const p = report(pubFlows(8443), observerDoc('node1', [...many, ...three])).report.groups[0].proposal!;
    expect(p.cidrs).toEqual([...many, ...three].map(([a]) => `${a}/32`));
    expect(p.note).toMatch(/5 addresses share 198\.18\.1\.0\/24/);
    expect(p.note).not.toMatch(/198\.18\.2\.0\/24/);
  });

  test('addresses seen on different ports: the note names the pairs the rule would allow without having seen them', () => {
    const p = report(pubFlows(8443, 9000), observerDoc('node1', [['198.18.0.7', 8443], ['198.18.0.7', 9000], ['198.18.0.8', 8443]])).report.groups[0].proposal!;
    expect(p.complete).toBe(true);
    expect(p.ports.map(x => x.port)).toEqual([8443, 9000]);
    expect(p.note).toMatch(/also allows 1 address\/port pair\(s\) not observed \(198\.18\.0\.8 tcp\/9000\)/);
  });

  test('a denied port with no recorded address stays out of the rule, and the proposal is incomplete', () => {
    const p = report(pubFlows(8443, 9000), observerDoc('node1', [['198.18.0.7', 8443]])).report.groups[0].proposal!;
    expect(p).toMatchObject({ complete: false, cidrs: ['198.18.0.7/32'], ports: [{ protocol: 'tcp', port: 8443 }] });
    expect(p.note).toMatch(/no address recorded for tcp\/9000/);
  });

  test('nothing recorded for the group: the commented line, as without --addresses; a full set is reported', () => {
    const { report: r } = report(pubFlows(8443), observerDoc('node1', [['198.18.0.7', 443]], 7));
    expect(r.groups[0].proposal!.complete).toBe(false);
    expect(r.groups[0].proposal!.code).toMatch(/^\/\/ /);
    expect(r.unrecordedAddresses).toEqual(['node1/shop: 7']);
  });

  test('a file that is not observer output: exit 2, the file and line named', () => {
    const { code, err } = report(weekFile, observerDoc('node1', []), { kind: 'Something' });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/addresses-.*\.json:2: is not an ObservedAddresses document/);
  });
});
