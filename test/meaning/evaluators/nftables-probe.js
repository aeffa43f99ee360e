// Runs inside a fresh network namespace (unshare -rn): loads an nftables export on the output hook, sends one
// TCP SYN or UDP datagram per probe from its source address, and reports which probes the export let through
// (a later output chain records the protocol and source port of every packet the export accepted).
'use strict';
const { execFileSync } = require('child_process');
const dgram = require('dgram');
const fs = require('fs');
const net = require('net');

const sh = (cmd, args, input) => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
const { ruleset, probes } = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

sh('ip', ['link', 'set', 'lo', 'up']);
sh('ip', ['link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
sh('ip', ['link', 'set', 'veth0', 'up']);
sh('ip', ['link', 'set', 'veth1', 'up']);
sh('ip', ['route', 'add', 'default', 'dev', 'veth0']);
sh('ip', ['-6', 'route', 'add', 'default', 'dev', 'veth0']);
for (const src of new Set(probes.map(p => p.src))) {
  sh('ip', src.includes(':') ? ['-6', 'addr', 'add', `${src}/128`, 'dev', 'lo', 'nodad'] : ['addr', 'add', `${src}/32`, 'dev', 'lo']);
}
// The export filters forwarded traffic at a perimeter; here the same chain sees locally sent packets.
sh('nft', ['-f', '-'], ruleset.replace(/type filter hook forward priority filter;/, 'type filter hook output priority filter;'));
sh('nft', ['-f', '-'], `table inet probe {
  set seen { type inet_proto . inet_service; flags dynamic; size 65535; }
  chain out {
    type filter hook output priority filter + 10; policy accept;
    meta l4proto { tcp, udp } add @seen { meta l4proto . th sport }
  }
}
`);

async function send(p) {
  if (p.protocol === 6) {
    await new Promise(resolve => {
      const s = net.connect({ host: p.dst, port: p.port, localAddress: p.src, localPort: p.sport });
      s.on('error', () => resolve());
      setTimeout(() => { s.destroy(); resolve(); }, 150);
    });
  } else {
    await new Promise(resolve => {
      const s = dgram.createSocket(p.dst.includes(':') ? 'udp6' : 'udp4');
      s.on('error', () => { s.close(); resolve(); });
      s.bind({ address: p.src, port: p.sport }, () => s.send(Buffer.from('probe'), p.port, p.dst, () => { s.close(); resolve(); }));
    });
  }
}

(async () => {
  // the SYN leaves when connect() is called: send in batches instead of waiting for each one
  for (let i = 0; i < probes.length; i += 200) await Promise.all(probes.slice(i, i + 200).map(send));
  await new Promise(r => setTimeout(r, 100));
  const listed = JSON.parse(sh('nft', ['-j', 'list', 'set', 'inet', 'probe', 'seen']));
  const seen = new Set();
  for (const item of listed.nftables) {
    for (const e of item.set?.elem ?? []) {
      const parts = (e.elem?.val ?? e).concat;
      seen.add(`${parts[0]}/${parts[1]}`);
    }
  }
  const name = { 6: 'tcp', 17: 'udp' };
  process.stdout.write(JSON.stringify(probes.map(p => seen.has(`${name[p.protocol]}/${p.sport}`))));
})().catch(e => { process.stderr.write(String(e.stack)); process.exit(1); });
