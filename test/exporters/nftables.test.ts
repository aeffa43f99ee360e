import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packetEstate } from './packet-estate';
import { describeWithTools, isolatedPrefix, run } from './tooling';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { FirewallFormat } from '../../src/exporters/firewall-format';

const ruleset = FirewallExport.render(packetEstate(), FirewallFormat.NFTABLES)[0].content;

describeWithTools('nftables export: nft -c', ['nft'], false, () => {
  test('the ruleset passes nft -c -f, twice in a row (reload is idempotent)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwx-nft-'));
    const file = path.join(dir, 'egress.nft');
    fs.writeFileSync(file, ruleset);
    const prefix = isolatedPrefix()!;
    const r = run(prefix[0], [...prefix.slice(1), 'sh', '-c', `nft -f ${file} && nft -f ${file} && nft -c -f ${file} && nft list table inet cdk8s_egress`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The kernel accepted the interval sets and counters.
    expect(r.stdout).toMatch(/set payments_card_v4_dst \{[^}]*flags interval[^}]*elements = \{ 203\.0\.113\.0\/25/s);
    expect(r.stdout).toMatch(/counter packets 0 bytes 0 accept/);
    fs.rmSync(dir, { recursive: true });
  });

  test('every kind of port match passes nft -c (ICMP type/code, ICMPv6, ranges, protocol numbers, all traffic)', () => {
    const doc = packetEstate();
    const ports = [
      { protocol: 'ICMP', icmpType: 3, icmpCode: 4 }, { protocol: 'ICMPv6', icmpType: 128 }, { protocol: 'UDP', fromPort: 5000, toPort: 5100 },
      { protocol: 'UDP', fromPort: 53, toPort: 53 }, { protocol: 'SCTP', fromPort: 3868, toPort: 3868 }, { protocol: '47' }, { protocol: 'UDPLite' },
    ];
    const varied = { ...doc, zones: doc.zones.map(z => ({ ...z, rules: z.rules.map((r, i) => ({ ...r, ports: i === 0 ? ports : [] })) })) };
    const text = FirewallExport.render(varied, FirewallFormat.NFTABLES)[0].content;
    expect(text).toMatch(/icmp type 3 icmp code 4 counter accept/);
    expect(text).toMatch(/icmpv6 type 128 counter accept/);
    expect(text).toMatch(/udp dport \{ 53, 5000-5100 \} counter accept/);
    expect(text).toMatch(/meta l4proto 47 counter accept/);
    const prefix = isolatedPrefix()!;
    const r = run(prefix[0], [...prefix.slice(1), 'nft', '-c', '-f', '-'], text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('a broken ruleset is rejected (the check can fail)', () => {
    const prefix = isolatedPrefix()!;
    const r = run(prefix[0], [...prefix.slice(1), 'nft', '-c', '-f', '-'], ruleset.replace('flags interval', 'flags nonsense'));
    expect(r.status).not.toBe(0);
  });
});

// Client (zone sources) -- router (loads the export) -- server (destinations); nothing leaves the namespaces.
const NS = `fwx-${process.pid}`;
const CLIENT = `${NS}-c`;
const ROUTER = `${NS}-r`;
const SERVER = `${NS}-s`;

const CLIENT_ADDRS = ['10.250.0.10/24', '192.0.2.10/26', '10.244.1.10/16', '192.0.2.100/32', '10.9.9.10/24', '2001:db8:1::10/64'];
const SERVER_ADDRS = ['203.0.113.10/32', '203.0.113.200/32', '198.51.100.10/32', '172.16.10.5/32', '2001:db8:100::10/128'];
const PORTS = [22, 443, 8443];

function sh(ns: string | undefined, script: string): string {
  const r = ns ? run('ip', ['netns', 'exec', ns, 'sh', '-ec', script]) : run('sh', ['-ec', script]);
  if (r.status !== 0) throw new Error(`${ns ?? 'host'}: ${script}\n${r.stderr}`);
  return r.stdout;
}

function setUp(dir: string): void {
  for (const ns of [CLIENT, ROUTER, SERVER]) sh(undefined, `ip netns add ${ns}`);
  sh(undefined, `ip link add fwxc0 netns ${CLIENT} type veth peer name fwxr0 netns ${ROUTER}`);
  sh(undefined, `ip link add fwxs0 netns ${SERVER} type veth peer name fwxr1 netns ${ROUTER}`);
  sh(ROUTER, [
    'ip link set lo up', 'ip link set fwxr0 up', 'ip link set fwxr1 up',
    'ip addr add 10.99.1.1/24 dev fwxr0', 'ip addr add 10.99.2.1/24 dev fwxr1',
    'ip -6 addr add fd00:99:1::1/64 dev fwxr0 nodad', 'ip -6 addr add fd00:99:2::1/64 dev fwxr1 nodad',
    'sysctl -qw net.ipv4.ip_forward=1', 'sysctl -qw net.ipv6.conf.all.forwarding=1',
    ...['10.250.0.0/24', '192.0.2.0/24', '10.244.0.0/16', '10.9.9.0/24'].map(c => `ip route add ${c} via 10.99.1.2`),
    'ip -6 route add 2001:db8:1::/64 via fd00:99:1::2',
    ...['203.0.113.0/24', '198.51.100.0/24', '172.16.0.0/12'].map(c => `ip route add ${c} via 10.99.2.2`),
    'ip -6 route add 2001:db8:100::/48 via fd00:99:2::2',
    `nft -f ${path.join(dir, 'egress.nft')}`,
  ].join('\n'));
  sh(CLIENT, [
    'ip link set lo up', 'ip link set fwxc0 up', 'ip addr add 10.99.1.2/24 dev fwxc0', 'ip -6 addr add fd00:99:1::2/64 dev fwxc0 nodad',
    ...CLIENT_ADDRS.map(a => `ip ${a.includes(':') ? '-6 ' : ''}addr add ${a} dev fwxc0${a.includes(':') ? ' nodad' : ''}`),
    'ip route add default via 10.99.1.1', 'ip -6 route add default via fd00:99:1::1',
  ].join('\n'));
  sh(SERVER, [
    'ip link set lo up', 'ip link set fwxs0 up', 'ip addr add 10.99.2.2/24 dev fwxs0', 'ip -6 addr add fd00:99:2::2/64 dev fwxs0 nodad',
    ...SERVER_ADDRS.map(a => `ip ${a.includes(':') ? '-6 ' : ''}addr add ${a} dev fwxs0${a.includes(':') ? ' nodad' : ''}`),
    'ip route add default via 10.99.2.1', 'ip -6 route add default via fd00:99:2::1',
  ].join('\n'));
}

const SERVER_JS = `const net = require('net');
// A client that resets first (the tests close on the first byte) must not crash the server: ignore socket errors.
for (const port of ${JSON.stringify(PORTS)}) net.createServer(s => { s.on('error', () => {}); s.end('ok'); }).listen({ port, host: '::', ipv6Only: false });
setTimeout(() => process.exit(0), 120000);`;

const CLIENT_JS = `const net = require('net');
const tries = JSON.parse(process.argv[2]);
Promise.all(tries.map(([src, dst, port]) => new Promise(done => {
  const s = net.connect({ host: dst, port, localAddress: src, timeout: 3000 });
  s.on('data', () => { s.destroy(); done('pass'); });
  s.on('timeout', () => { s.destroy(); done('drop'); });
  s.on('error', e => done('error ' + e.code));
}))).then(r => console.log(JSON.stringify(r)));`;

// Before the measured connects: wait until the server listens on every port, and resolve the neighbours of
// both links (ARP/NDP) — under a loaded CI machine a first IPv6 SYN waiting for NDP could time out, which
// would read as "dropped". Connections to the router itself and from it are not forwarded, so the export's
// rules do not see them.
const WARM_JS = `const net = require('net');
const targets = JSON.parse(process.argv[2]);
const until = Date.now() + 15000;
const attempt = (host, port) => new Promise(r => {
  const s = net.connect({ host, port, timeout: 1000 });
  s.on('connect', () => { s.destroy(); r(true); });
  s.on('timeout', () => { s.destroy(); r(false); });
  s.on('error', () => r(false));
});
(async () => {
  for (const [host, port, mustOpen] of targets) {
    while (!(await attempt(host, port)) && mustOpen && Date.now() < until) await new Promise(r => setTimeout(r, 100));
  }
})();`;

describeWithTools('nftables export: real packets through a router namespace', ['nft', 'ip'], true, () => {
  let dir = '';
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwx-pkt-'));
    fs.writeFileSync(path.join(dir, 'egress.nft'), ruleset);
    fs.writeFileSync(path.join(dir, 'client.js'), CLIENT_JS);
    setUp(dir);
    server = spawn('ip', ['netns', 'exec', SERVER, process.execPath, '-e', SERVER_JS], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, 'warm.js'), WARM_JS);
    const warm = (ns: string, targets: [string, number, boolean][]) =>
      sh(ns, `${process.execPath} ${path.join(dir, 'warm.js')} '${JSON.stringify(targets)}'`);
    warm(ROUTER, PORTS.flatMap(port => [['10.99.2.2', port, true], ['fd00:99:2::2', port, true]] as [string, number, boolean][]));
    warm(CLIENT, [['10.99.1.1', 9, false], ['fd00:99:1::1', 9, false]]);
  });

  afterAll(() => {
    server?.kill();
    for (const ns of [CLIENT, ROUTER, SERVER]) run('ip', ['netns', 'del', ns]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // [who, source, destination, port, expected]
  const cases: [string, string, string, number, string][] = [
    ['payments pod (no NAT) to the card processor on 443', '10.250.0.10', '203.0.113.10', 443, 'pass'],
    ['payments to the card processor on 22', '10.250.0.10', '203.0.113.10', 22, 'drop'],
    ['payments to an address outside the card ranges', '10.250.0.10', '203.0.113.200', 443, 'drop'],
    ['payments to object storage (another zone\'s destination)', '10.250.0.10', '198.51.100.10', 443, 'drop'],
    ['batch node address (NAT outgoing) to object storage on 443', '192.0.2.10', '198.51.100.10', 443, 'pass'],
    ['batch node address to object storage on 8443', '192.0.2.10', '198.51.100.10', 8443, 'drop'],
    ['batch node address to the corporate SFTP (a no-NAT destination)', '192.0.2.10', '172.16.10.5', 22, 'drop'],
    ['batch pod address to the corporate SFTP (no NAT)', '10.244.1.10', '172.16.10.5', 22, 'pass'],
    ['batch pod address to object storage (NATed path only)', '10.244.1.10', '198.51.100.10', 443, 'drop'],
    ['gateway egress IP to object storage on 8443', '192.0.2.100', '198.51.100.10', 8443, 'pass'],
    ['gateway egress IP to object storage on 443', '192.0.2.100', '198.51.100.10', 443, 'drop'],
    ['batch over IPv6 to object storage on 443', '2001:db8:1::10', '2001:db8:100::10', 443, 'pass'],
    ['batch over IPv6 to object storage on 22', '2001:db8:1::10', '2001:db8:100::10', 22, 'drop'],
    ['an address no zone owns is not the export\'s business', '10.9.9.10', '203.0.113.10', 22, 'pass'],
  ];

  test('allowed destination/port pairs pass, everything else from zone sources is dropped', () => {
    const out = sh(CLIENT, `${process.execPath} ${path.join(dir, 'client.js')} '${JSON.stringify(cases.map(c => [c[1], c[2], c[3]]))}'`);
    const results = JSON.parse(out) as string[];
    expect(cases.map((c, i) => `${c[0]}: ${results[i]}`)).toEqual(cases.map(c => `${c[0]}: ${c[4]}`));
    // The drops were counted by the default-deny rules.
    const listing = sh(ROUTER, 'nft list chain inet cdk8s_egress forward');
    expect(listing).toMatch(/ip saddr @zone_sources_v4 counter packets [1-9][0-9]* .*drop/);
    expect(listing).toMatch(/ip6 saddr @zone_sources_v6 counter packets [1-9][0-9]* .*drop/);
  });
});
