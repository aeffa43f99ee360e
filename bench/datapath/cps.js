#!/usr/bin/env node
// New-connections-per-second helper for `npm run bench:datapath`, run inside a namespace (ip netns exec).
//   server --port <p>                               accepts, writes one byte, ends
//   client --to <ip:port> --concurrency <n> --duration <ms>
//       n parallel loops of: connect, wait for the server's byte (one full round trip through the
//       data path), reset (RST, so neither the sockets nor conntrack keep TIME_WAIT entries).
//       Bounded: stops after --duration ms (and at most 200,000 connections); every connect times out after 2 s.
'use strict';
const net = require('node:net');

const args = {};
for (let i = 3; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const mode = process.argv[2];

if (mode === 'server') {
  net.createServer((s) => {
    s.on('error', () => undefined);
    s.end('x');
  }).listen(Number(args.port), '0.0.0.0', () => process.stdout.write(JSON.stringify({ listening: true }) + '\n'));
} else if (mode === 'client') {
  const [host, port] = args.to.split(':');
  const concurrency = Number(args.concurrency || 16);
  const duration = Number(args.duration || 2000);
  const MAX = 200_000;
  let ok = 0;
  let errors = 0;
  let active = 0;
  const start = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - start) / 1e6;
  let stopped = false;
  const finish = () => {
    const seconds = elapsedMs() / 1000;
    process.stdout.write(JSON.stringify({ ok, errors, seconds, cps: ok / seconds }) + '\n');
    process.exit(0);
  };
  const one = () => {
    if (stopped || ok + errors >= MAX || elapsedMs() >= duration) {
      stopped = true;
      if (--active === 0) finish();
      return;
    }
    let done = false;
    const s = net.connect({ host, port: Number(port) });
    const end = (good) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      if (good) ok++; else errors++;
      s.resetAndDestroy();
      setImmediate(one);
    };
    const t = setTimeout(() => end(false), 2000);
    s.once('data', () => end(true));
    s.on('error', () => end(false));
    s.on('close', () => end(false));
  };
  for (let i = 0; i < concurrency; i++) {
    active++;
    one();
  }
  setTimeout(() => { process.stderr.write('cps client: hard timeout\n'); finish(); }, duration + 5000).unref();
} else {
  process.stderr.write('usage: cps.js server --port <p> | client --to <ip:port> --concurrency <n> --duration <ms>\n');
  process.exit(2);
}
