import { FakeKernel } from './fake-kernel';
import { computeNodeDesired } from '../../src/agent/node/node-desired-state';
import { ReplicaView } from '../../src/agent/node/replica-health';
import { planNetChanges } from '../../src/agent/shared/net-plan';
import { EMPTY_NET_STATE } from '../../src/agent/shared/net-state';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const config = parseDataPathConfig(validDocument());
const pods = [{ ip: '10.201.1.10', zone: 'payments' }];
const view = (...h: ReplicaView['health'][]) => h.map((health, i) => ({ gateway: 'gw', ip: `10.201.100.${11 + i}`, health }));

describe('planNetChanges', () => {
  test('from nothing: devices, then neighbours/FDB, nexthops, groups, routes, rules; nothing to remove', () => {
    const d = computeNodeDesired(config, { pods, replicas: view('ready', 'ready'), previousSlots: new Map() });
    const { add, remove } = planNetChanges(EMPTY_NET_STATE, d.net);
    const order = ['add-link', 'set-neighbor', 'set-fdb', 'set-nexthop', 'set-group', 'set-route', 'add-rule'];
    const kinds = add.map((o) => o.op);
    expect(kinds.map((k) => order.indexOf(k))).toEqual([...kinds.map((k) => order.indexOf(k))].sort((a, b) => a - b));
    expect(remove).toEqual([]);
  });

  test('a dead replica: the group is replaced first, its pin and nexthop go afterwards; a second plan is empty', async () => {
    const kernel = new FakeKernel();
    const d1 = computeNodeDesired(config, { pods, replicas: view('ready', 'ready'), previousSlots: new Map() });
    await kernel.applyNet(planNetChanges(kernel.net, d1.net).add);
    const d2 = computeNodeDesired(config, { pods, replicas: view('dead', 'ready'), previousSlots: new Map(d1.slots.map((s) => [`${s.vni}|${s.ip}`, s.slot])) });
    const { add, remove } = planNetChanges(kernel.net, d2.net);
    expect(add.map((o) => o.op)).toEqual(['set-group', 'set-group']);
    expect(remove.map((o) => o.op)).toEqual(expect.arrayContaining(['del-rule', 'del-route', 'del-nexthop', 'del-neighbor', 'del-fdb']));
    expect(remove.findIndex((o) => o.op === 'del-rule')).toBeLessThan(remove.findIndex((o) => o.op === 'del-nexthop'));
    await kernel.applyNet(add);
    await kernel.applyNet(remove);
    expect(planNetChanges(kernel.net, d2.net)).toEqual({ add: [], remove: [] });
  });

  test('a changed VNI or port recreates the device (the kernel cannot change them in place)', () => {
    const current = { ...EMPTY_NET_STATE, links: [{ name: 'egz4101', vni: 4101, port: 4789 }] };
    const desired = { ...EMPTY_NET_STATE, links: [{ name: 'egz4101', vni: 4101, port: 8472 }] };
    expect(planNetChanges(current, desired).add.map((o) => o.op)).toEqual(['del-link', 'add-link']);
  });
});
