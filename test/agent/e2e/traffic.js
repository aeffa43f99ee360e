#!/usr/bin/env node
// Traffic helper for the namespace end-to-end tests, run inside a namespace with `ip netns exec`.
// Plain JavaScript so it starts fast without a compiler.
//   server  --udp <port> --tcp <port>[,<port>] [--quiet udp] [--bind <ip>] [--v6 <ip>]   echo; each reply says which source
//             address arrived. --bind: the UDP socket's address (its replies' source; on 0.0.0.0 the kernel picks the
//             source by route, which need not be the address the datagram was sent to). --v6 <ip>: the same on IPv6 too,
//             the UDP socket bound to <ip> (separate IPv6-only sockets, so IPv4 sources stay plain IPv4 text)
//   udp     --to <ip:port> --flows <n> --interval <ms> --duration <ms>   (an IPv6 destination as [ip]:port)
//             one socket (= one flow) per n; prints a JSON summary per flow
//   tcp     --to <ip:port> --interval <ms> --duration <ms>   one long-lived connection, JSON summary
//   get     --url <url>                            one HTTP GET, prints {status, body}
'use strict';
const dgram = require('node:dgram');
const net = require('node:net');

/** "ip:port" or "[ipv6]:port" → [host, port]. */
function hostPort(text) {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  return m ? [m[1], m[2]] : text.split(':');
}
const udpType = (host) => (net.isIPv6(host) ? 'udp6' : 'udp4');

const args = {};
for (let i = 3; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const mode = process.argv[2];

if (mode === 'server') {
  const quiet = args.quiet === 'udp'; // --quiet udp: no line per datagram (1,000 packets/s streams)
  const u = dgram.createSocket('udp4');
  u.on('message', (msg, r) => {
    if (!quiet) process.stdout.write(JSON.stringify({ t: Date.now(), proto: 'udp', src: r.address, sport: r.port, data: msg.toString() }) + '\n');
    u.send(`${r.address}|${msg}`, r.port, r.address);
  });
  u.bind(Number(args.udp), args.bind || '0.0.0.0');
  if (args.v6) {
    const u6 = dgram.createSocket({ type: 'udp6', ipv6Only: true });
    u6.on('message', (msg, r) => {
      if (!quiet) process.stdout.write(JSON.stringify({ t: Date.now(), proto: 'udp', src: r.address, sport: r.port, data: msg.toString() }) + '\n');
      u6.send(`${r.address}|${msg}`, r.port, r.address);
    });
    u6.bind(Number(args.udp), args.v6);
  }
  for (const p of String(args.tcp || '').split(',').filter(Boolean)) {
    for (const host of args.v6 ? ['0.0.0.0', '::'] : ['0.0.0.0']) {
      net.createServer((s) => {
        process.stdout.write(JSON.stringify({ t: Date.now(), proto: 'tcp', src: s.remoteAddress, sport: s.remotePort, port: Number(p) }) + '\n');
        s.write(`${s.remoteAddress}\n`);
        s.on('data', (d) => s.write(d));
        s.on('error', () => undefined);
      }).listen({ port: Number(p), host, ipv6Only: host === '::' });
    }
  }
  process.stdout.write(JSON.stringify({ listening: true }) + '\n');
} else if (mode === 'udp') {
  const [host, port] = hostPort(args.to);
  const flows = Number(args.flows || 1);
  const interval = Number(args.interval || 10);
  const duration = Number(args.duration || 1000);
  const stats = [];
  const sockets = [];
  for (let f = 0; f < flows; f++) {
    const s = dgram.createSocket(udpType(host));
    const st = { flow: f, sent: 0, received: 0, egress: [], last: 0, maxGapMs: 0, gapEndedAt: 0, firstAt: 0 };
    stats.push(st);
    s.on('message', (msg) => {
      const now = Date.now();
      st.received++;
      if (!st.firstAt) st.firstAt = now;
      const src = msg.toString().split('|')[0];
      if (st.egress[st.egress.length - 1] !== src) st.egress.push(src);
      if (st.last && now - st.last > st.maxGapMs) {
        st.maxGapMs = now - st.last;
        st.gapEndedAt = now;
      }
      st.last = now;
    });
    s.on('error', () => undefined);
    s.bind(0, () => {
      st.sport = s.address().port;
    });
    sockets.push(s);
  }
  const start = Date.now();
  const timer = setInterval(() => {
    sockets.forEach((s, f) => {
      stats[f].sent++;
      s.send(`flow${f}-${stats[f].sent}`, Number(port), host);
    });
    if (Date.now() - start >= duration) {
      clearInterval(timer);
      setTimeout(() => {
        process.stdout.write(JSON.stringify(stats) + '\n');
        process.exit(0);
      }, 300);
    }
  }, interval);
} else if (mode === 'tcp') {
  const [host, port] = hostPort(args.to);
  const interval = Number(args.interval || 20);
  const duration = Number(args.duration || 1000);
  const st = { connected: false, egress: undefined, sent: 0, echoes: 0, maxGapMs: 0, error: undefined, closed: false, startedAt: Date.now(), lastEchoAt: 0 };
  let last = 0;
  const s = net.connect(Number(port), host, () => {
    st.connected = true;
    const start = Date.now();
    const t = setInterval(() => {
      if (Date.now() - start >= duration) {
        clearInterval(t);
        s.end();
        return;
      }
      s.write('x');
      st.sent += 1;
    }, interval);
  });
  let buf = '';
  s.on('data', (d) => {
    const now = Date.now();
    if (st.egress === undefined) {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      st.egress = buf.slice(0, nl);
      d = Buffer.from(buf.slice(nl + 1));
    }
    st.echoes += d.length;
    if (last && now - last > st.maxGapMs) st.maxGapMs = now - last;
    last = now;
    st.lastEchoAt = now;
  });
  s.setTimeout(duration + 5000, () => s.destroy(new Error('timeout')));
  s.on('error', (e) => (st.error = e.message));
  s.on('close', () => {
    st.closed = true;
    process.stdout.write(JSON.stringify(st) + '\n');
    process.exit(0);
  });
} else if (mode === 'get') {
  // get --url http://ip:port/path  → {status, body}
  require('node:http').get(args.url, { agent: false, timeout: 2000 }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => {
      process.stdout.write(JSON.stringify({ status: res.statusCode, body }) + '\n');
    });
  }).on('timeout', function () {
    this.destroy(new Error('timeout'));
  }).on('error', (e) => process.stdout.write(JSON.stringify({ status: 0, body: e.message }) + '\n'));
} else {
  process.stderr.write('usage: traffic.js server|udp|tcp ...\n');
  process.exit(2);
}
