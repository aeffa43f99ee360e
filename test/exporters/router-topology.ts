/**
 * A client (zone sources) -- router (loads an export) -- server (destinations) topology in network
 * namespaces, for probing the netfilter exports with real packets. Nothing leaves the namespaces.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from './tooling';

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

function setUp(dir: string, load: string): void {
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
    `cd ${dir}`,
    load,
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

/** [who, source, destination, port, expected] for the packet estate's export. */
export const PACKET_CASES: [string, string, string, number, string][] = [
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

/** The topology with `files` written to a folder and `load` run there in the router (its cwd). */
export class RouterLab {
  public readonly router = ROUTER;
  private readonly dir: string;
  private readonly server: ChildProcess;

  constructor(files: { [file: string]: string }, load: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwx-pkt-'));
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(this.dir, file), content);
    fs.writeFileSync(path.join(this.dir, 'client.js'), CLIENT_JS);
    fs.writeFileSync(path.join(this.dir, 'warm.js'), WARM_JS);
    setUp(this.dir, load);
    this.server = spawn('ip', ['netns', 'exec', SERVER, process.execPath, '-e', SERVER_JS], { stdio: 'ignore' });
    const warm = (ns: string, targets: [string, number, boolean][]) =>
      sh(ns, `${process.execPath} ${path.join(this.dir, 'warm.js')} '${JSON.stringify(targets)}'`);
    warm(ROUTER, PORTS.flatMap(port => [['10.99.2.2', port, true], ['fd00:99:2::2', port, true]] as [string, number, boolean][]));
    warm(CLIENT, [['10.99.1.1', 9, false], ['fd00:99:1::1', 9, false]]);
  }

  /** Each case as "<who>: pass|drop|error …", connecting from the client. */
  public probe(cases: [string, string, string, number, string][]): string[] {
    const out = sh(CLIENT, `${process.execPath} ${path.join(this.dir, 'client.js')} '${JSON.stringify(cases.map(c => [c[1], c[2], c[3]]))}'`);
    const results = JSON.parse(out) as string[];
    return cases.map((c, i) => `${c[0]}: ${results[i]}`);
  }

  /** Runs a script in the router namespace. */
  public inRouter(script: string): string {
    return sh(ROUTER, script);
  }

  public close(): void {
    this.server.kill();
    for (const ns of [CLIENT, ROUTER, SERVER]) run('ip', ['netns', 'del', ns]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
