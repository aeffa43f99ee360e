#!/usr/bin/env node
// DNS helpers for the domain-rule end-to-end test (plain JavaScript, run with `ip netns exec`).
//   server --bind <ip> --answers <file>   UDP and TCP DNS on <ip>:53; answers from the JSON file, re-read per query:
//             { "<name>": { "a": ["ip", ...], "aaaa": ["ip6", ...], "cname": "<name>", "ttl": <s> } }
//             over UDP an answer longer than 512 bytes is cut to the records that fit, with TC set (as a server
//             without EDNS does): the client retries over TCP
//   lookup --server <ip> --name <n> [--tcp 1] [--type aaaa] [--connect <port>]   one query (server IPv4 or IPv6) (own bytes, so UDP or TCP), then at
//             once a TCP connection to the first address; JSON {addresses, rcode, connected, error}
//   resolve --server <ip> --name <n> [--type aaaa] [--connect <port>]   the system's stub resolver (c-ares, as Node
//             ships it: on TC it retries over TCP), then a TCP connection to the LAST address; JSON {addresses, connected}
//   connect --ip <ip> --port <port>   a TCP connection without a lookup; JSON {connected}
//   loop --server <ip> --prefix <p> --count <n> [--type aaaa] --connect <port>   n lookups of <p><i>.<suffix>, each followed
//             at once by a connection; JSON {failures, ok}
'use strict';
const dgram = require('node:dgram');
const net = require('node:net');
const fs = require('node:fs');

const args = {};
for (let i = 3; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const mode = process.argv[2];

function encodeName(n) {
  return Buffer.concat([...n.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}
function query(id, name, type) {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0); h.writeUInt16BE(0x0100, 2); h.writeUInt16BE(1, 4);
  return Buffer.concat([h, encodeName(name), Buffer.from([0, type === 'aaaa' ? 28 : 1, 0, 1])]);
}
/** "2001:db8::1" → 16 bytes. */
function ipv6Bytes(text) {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}
function readName(b, off) {
  const labels = [];
  let next = -1;
  for (;;) {
    const len = b[off];
    if ((len & 0xc0) === 0xc0) { if (next < 0) next = off + 2; off = ((len & 0x3f) << 8) | b[off + 1]; continue; }
    if (len === 0) break;
    labels.push(b.toString('latin1', off + 1, off + 1 + len)); off += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), next: next >= 0 ? next : off + 1 };
}
function answerFor(q, udp) {
  const answers = JSON.parse(fs.readFileSync(args.answers, 'utf8'));
  const { name, next } = readName(q, 12);
  const qtype = q.readUInt16BE(next);
  const records = [];
  let cur = name;
  for (let i = 0; i < 8 && answers[cur]; i++) {
    const e = answers[cur];
    const ttl = e.ttl ?? 1;
    if (e.cname) { records.push([cur, 5, ttl, encodeName(e.cname)]); cur = e.cname; continue; }
    if (qtype === 28) for (const ip of e.aaaa || []) records.push([cur, 28, ttl, ipv6Bytes(ip)]);
    else for (const ip of e.a || []) records.push([cur, 1, ttl, Buffer.from(ip.split('.').map(Number))]);
    break;
  }
  const h = Buffer.alloc(12);
  h.writeUInt16BE(q.readUInt16BE(0), 0); h.writeUInt16BE(1, 4);
  const parts = [h, q.subarray(12, next + 4)];
  let size = next + 4;
  let count = 0;
  let truncated = false;
  for (const [owner, type, ttl, rdata] of records) {
    const f = Buffer.alloc(10);
    f.writeUInt16BE(type, 0); f.writeUInt16BE(1, 2); f.writeUInt32BE(ttl, 4); f.writeUInt16BE(rdata.length, 8);
    const rr = Buffer.concat([encodeName(owner), f, rdata]);
    if (udp && size + rr.length > 512) { truncated = true; break; }
    parts.push(rr); size += rr.length; count++;
  }
  h.writeUInt16BE((records.length ? 0x8180 : 0x8183) | (truncated ? 0x0200 : 0), 2); h.writeUInt16BE(count, 6);
  return Buffer.concat(parts);
}
function parseAnswer(b) {
  const an = b.readUInt16BE(6);
  let off = readName(b, 12).next + 4;
  const addresses = [];
  for (let i = 0; i < an; i++) {
    off = readName(b, off).next;
    const type = b.readUInt16BE(off); const len = b.readUInt16BE(off + 8); off += 10;
    if (type === 1) addresses.push([...b.subarray(off, off + 4)].join('.'));
    if (type === 28) addresses.push([0, 2, 4, 6, 8, 10, 12, 14].map((i) => b.readUInt16BE(off + i).toString(16)).join(':'));
    off += len;
  }
  return { rcode: b.readUInt16BE(2) & 0xf, tc: (b.readUInt16BE(2) & 0x200) !== 0, addresses };
}
function ask(server, name, tcp, type) {
  const q = query(Math.floor(Math.random() * 65535), name, type);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dns timeout')), 3000);
    if (!tcp) {
      const s = dgram.createSocket(server.includes(':') ? 'udp6' : 'udp4');
      s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(parseAnswer(m)); });
      s.on('error', (e) => { clearTimeout(timer); s.close(); reject(e); });
      // Connected, as glibc's stub is: an answer from any other source than the server asked is not taken.
      s.connect(53, server, () => s.send(q));
      return;
    }
    const s = net.connect(53, server);
    let buf = Buffer.alloc(0);
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('connect', () => { const l = Buffer.alloc(2); l.writeUInt16BE(q.length); s.write(Buffer.concat([l, q])); });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { clearTimeout(timer); s.destroy(); resolve(parseAnswer(buf.subarray(2))); }
    });
  });
}
function connect(ip, port) {
  return connectWhy(ip, port).then((r) => r.ok);
}
/**
 * A first connection and, when it fails, why and after how long (a failure then explains itself). The SYN-ACK must
 * come before TCP's first SYN retransmission (1 s): a dropped first SYN is a failed first connection, not a slow one.
 * The server's data then has 5 s: a server descheduled under load is not a dropped packet.
 */
function connectWhy(ip, port) {
  const start = Date.now();
  return new Promise((resolve) => {
    const s = net.connect(Number(port), ip);
    const done = (ok, why) => { clearTimeout(timer); s.destroy(); resolve({ ok, why, ms: Date.now() - start }); };
    let timer = setTimeout(() => done(false, 'no SYN-ACK within 900 ms'), 900);
    s.on('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(false, 'connected, no data within 5 s'), 5000);
    });
    s.on('data', () => done(true));
    s.on('error', (e) => done(false, e.code || e.message));
  });
}

if (mode === 'server') {
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send(answerFor(m, true), r.port, r.address));
  u.bind(53, args.bind);
  net.createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('error', () => undefined);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const a = answerFor(buf.subarray(2, 2 + buf.readUInt16BE(0)), false);
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        const l = Buffer.alloc(2); l.writeUInt16BE(a.length); s.write(Buffer.concat([l, a]));
      }
    });
  }).listen(53, args.bind, () => process.stdout.write(JSON.stringify({ listening: true }) + '\n'));
} else if (mode === 'lookup') {
  (async () => {
    try {
      const a = await ask(args.server, args.name, args.tcp === '1', args.type);
      const connected = args.connect && a.addresses.length ? await connect(a.addresses[0], args.connect) : undefined;
      process.stdout.write(JSON.stringify({ ...a, connected }) + '\n');
    } catch (e) {
      process.stdout.write(JSON.stringify({ error: e.message, addresses: [] }) + '\n');
    }
    process.exit(0); // a timed-out query's socket would keep the process alive
  })();
} else if (mode === 'resolve') {
  (async () => {
    const r = new (require('node:dns').promises.Resolver)({ timeout: 2000, tries: 1 });
    r.setServers([args.server]);
    try {
      const addresses = await (args.type === 'aaaa' ? r.resolve6(args.name) : r.resolve4(args.name));
      const connected = args.connect && addresses.length ? await connect(addresses[addresses.length - 1], args.connect) : undefined;
      process.stdout.write(JSON.stringify({ addresses, connected }) + '\n');
    } catch (e) {
      process.stdout.write(JSON.stringify({ error: e.code || e.message, addresses: [] }) + '\n');
    }
    process.exit(0);
  })();
} else if (mode === 'connect') {
  connect(args.ip, args.port).then((connected) => {
    process.stdout.write(JSON.stringify({ connected }) + '\n');
    process.exit(0);
  });
} else if (mode === 'loop') {
  (async () => {
    let failures = 0;
    let ok = 0;
    const failed = [];
    for (let i = 1; i <= Number(args.count); i++) {
      const name = `${args.prefix}${i}.${args.suffix}`;
      const start = Date.now();
      try {
        const a = await ask(args.server, name, false, args.type);
        const asked = Date.now() - start;
        const c = a.addresses.length ? await connectWhy(a.addresses[0], args.connect) : { ok: false, why: 'no address in the answer', ms: 0 };
        if (c.ok) ok++;
        else {
          failures++;
          failed.push({ name, address: a.addresses[0], why: c.why, lookupMs: asked, connectMs: c.ms });
        }
      } catch (e) {
        failures++;
        failed.push({ name, why: `lookup: ${e.message}`, lookupMs: Date.now() - start });
      }
    }
    // Only when something failed: the tests compare { failures, ok }, and a failure's details then show in the diff.
    process.stdout.write(JSON.stringify({ failures, ok, ...(failed.length ? { failed } : {}) }) + '\n');
    process.exit(0);
  })();
}
