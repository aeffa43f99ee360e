#!/usr/bin/env node
// A paced, numbered UDP stream and a receiver that counts it, for loss and gap figures taken at the
// receiver (test/agent/e2e/table-replace.e2e.test.ts, bench/datapath/allow-list-changes.ts).
//   receive --port <p> [--gap-ms 5]        prints {listening}; on SIGTERM/SIGINT prints {received, unique,
//                                          maxSeq, missing, first, last, gaps: [{end, ms}]} (every arrival gap
//                                          >= gap-ms, `end` = Date.now() of the packet that ended it) and exits
//   send --to <ip:port> --rate <pps> --duration <ms>   numbers each datagram; prints {sent} at the end or on SIGTERM
// The sender keeps the rate by sending every datagram due so far on each 1 ms tick (timer jitter
// delays datagrams, it does not drop them).
'use strict';
const dgram = require('node:dgram');
const { writeSync } = require('node:fs');

const args = {};
for (let i = 3; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const mode = process.argv[2];

if (mode === 'receive') {
  const gapMs = Number(args['gap-ms'] || 5);
  const seen = new Set();
  const gaps = [];
  let received = 0;
  let maxSeq = 0;
  let first = 0;
  let last = 0;
  const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  s.on('message', (msg) => {
    const now = Date.now();
    const seq = Number(msg.toString());
    received++;
    seen.add(seq);
    if (seq > maxSeq) maxSeq = seq;
    if (!first) first = now;
    if (last && now - last >= gapMs) gaps.push({ end: now, ms: now - last });
    last = now;
  });
  s.bind(Number(args.port), () => process.stdout.write(JSON.stringify({ listening: true }) + '\n'));
  const report = () => {
    const missing = [];
    for (let i = 1; i <= maxSeq && missing.length < 1000; i++) if (!seen.has(i)) missing.push(i);
    writeSync(1, JSON.stringify({ received, unique: seen.size, maxSeq, missing, first, last, gaps }) + '\n'); // whole, before exit
    process.exit(0);
  };
  process.on('SIGTERM', report);
  process.on('SIGINT', report);
} else if (mode === 'send') {
  const [host, port] = args.to.split(':');
  const rate = Number(args.rate || 1000);
  const duration = Number(args.duration || 1000);
  const s = dgram.createSocket('udp4');
  let sent = 0;
  const start = Date.now();
  const finish = () => {
    clearInterval(timer);
    setTimeout(() => {
      process.stdout.write(JSON.stringify({ sent }) + '\n');
      process.exit(0);
    }, 200);
  };
  const timer = setInterval(() => {
    const elapsed = Date.now() - start;
    const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((duration * rate) / 1000));
    while (sent < due) s.send(String(++sent), Number(port), host);
    if (elapsed >= duration) finish();
  }, 1);
  process.on('SIGTERM', finish);
} else {
  process.stderr.write('usage: stream.js receive|send ...\n');
  process.exit(2);
}
