import { FIRST_PIN, markValue } from '../../src/agent/node/mark-layout';
import { computeNodeDesired } from '../../src/agent/node/node-desired-state';
import { ReplicaView } from '../../src/agent/node/replica-health';
import { renderNftSet } from '../../src/agent/shared/nft-table-swap';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const config = parseDataPathConfig(validDocument());
const base = config.node.routeTableBase;
const pods = [{ ip: '10.201.1.10', zone: 'payments' }, { ip: '10.201.1.20', zone: 'open' }, { ip: '10.201.1.30', zone: 'direct' }];
const replicas = (...health: ReplicaView['health'][]): ReplicaView[] => health.map((h, i) => ({ gateway: 'gw', ip: `10.201.100.${11 + i}`, health: h }));
const compute = (r: ReplicaView[], previousSlots = new Map<string, number>()) => {
  const d = computeNodeDesired(config, { pods, replicas: r, previousSlots });
  // The table as one text: its sets (by their own names) and its chains.
  const nft = [...d.ruleset.sets].flatMap(([n, set]) => renderNftSet(n, set)).join('\n') + '\n' + d.ruleset.body((n) => `@${n}`);
  return { ...d, nft };
};

describe('computeNodeDesired', () => {
  test('ready replicas form each zone\'s resilient group; every live replica gets a pin table', () => {
    const d = compute(replicas('ready', 'ready'));
    const payGroup = d.net.groups.find((g) => g.id === config.node.nexthopIdBase + 1)!;
    expect(payGroup.members).toHaveLength(2);
    expect(d.net.routes).toContainEqual({ table: base + 1, kind: 'group', nhid: payGroup.id });
    expect(d.net.links.map((l) => l.name)).toEqual(['egz4101', 'egz4102']);
    // 2 zones x 2 replicas = 4 pins, each a direct route to its replica
    expect(d.slots).toHaveLength(4);
    expect(d.net.routes.filter((r) => r.kind === 'via')).toHaveLength(4);
    expect(d.nft).toContain('10.201.1.10 : jump zone_1');
    expect(d.nft).not.toContain('10.201.1.30'); // a zone without a gateway is not steered
    expect(d.nft).toContain('ip saddr 10.201.50.0/24 ip daddr != { 192.0.2.0/24 } snat ip to 198.18.1.50');
    expect(d.nft).toContain('ip daddr @nogw_1 return');
  });

  test('a draining replica keeps its pin but leaves the group', () => {
    const d = compute(replicas('ready', 'draining'));
    expect(d.net.groups.find((g) => g.id === config.node.nexthopIdBase + 1)!.members).toHaveLength(1);
    const drainingPin = d.slots.find((s) => s.ip === '10.201.100.12' && s.zone.name === 'payments')!;
    expect(drainingPin.ready).toBe(false);
    expect(d.net.routes).toContainEqual({ table: base + 256 + drainingPin.slot, kind: 'via', via: '10.201.100.12', dev: 'egz4101' });
    expect(d.nft).toContain(`0x${markValue(config, FIRST_PIN + drainingPin.slot).toString(16).padStart(8, '0')} : goto pin_${drainingPin.slot}`);
  });

  test('no ready replica: a fail-closed zone blackholes, a fail-open zone stops steering new flows', () => {
    const d = compute(replicas('dead', 'dead'));
    expect(d.net.routes).toContainEqual({ table: base + 1, kind: 'blackhole' });
    expect(d.net.routes.some((r) => r.table === base + 2)).toBe(false);
    expect(d.net.groups).toEqual([]);
    expect(d.nft).toMatch(/chain zone_2 \{\n\s+return\n/);
    expect(d.nft).toMatch(/chain zone_1 \{\n\s+ip daddr @nogw_1 return\n\s+meta mark set/);
    expect(d.nft).toContain('oifname != @tunnels counter name leak_blocked drop');
  });

  test('slots survive recomputation; a dead replica frees its slot without moving the others', () => {
    const first = compute(replicas('ready', 'ready', 'ready'));
    const previous = new Map(first.slots.map((s) => [`${s.vni}|${s.ip}`, s.slot]));
    const later = compute(replicas('dead', 'ready', 'ready'), previous);
    for (const s of later.slots) expect(s.slot).toBe(previous.get(`${s.vni}|${s.ip}`));
    expect(later.slots.some((s) => s.ip === '10.201.100.11')).toBe(false);
  });
});
