#!/usr/bin/env node
// Runs the node agent's KubernetesSource (compiled, images/build) on the agents' Node 22 against a
// small in-process stand-in for the API server's list/watch protocol, through one scenario, and
// prints what the adapter reported at each step as JSON (test/agent/kubernetes-source.test.ts asserts).
// The stand-in speaks what client-node's ListWatch uses: GET list (resourceVersion in metadata),
// GET ?watch=true&resourceVersion=N (newline-delimited events; an ERROR event with code 410 when N
// is older than the compaction point, as kube-apiserver does), and it can be stopped and restarted
// on the same port. The real API server is tested in test/lab/gateway.
'use strict';
const http = require('node:http');
const path = require('node:path');

const { KubernetesSource } = require(path.join(__dirname, '..', '..', 'images', 'build', 'agent', 'shared', 'kubernetes-source.js'));
const k8s = require(require.resolve('@kubernetes/client-node', { paths: [path.join(__dirname, '..', '..')] }));

let rv = 100;
let compactedBefore = 0;
const objects = { pods: new Map(), slices: new Map() };
const events = []; // { rv, kind, type, object }
const watchers = new Set();

function put(kind, obj, type) {
  rv++;
  obj.metadata.resourceVersion = String(rv);
  if (type === 'DELETED') objects[kind].delete(obj.metadata.name);
  else objects[kind].set(obj.metadata.name, obj);
  const ev = { rv, kind, type, object: obj };
  events.push(ev);
  for (const w of watchers) if (w.kind === kind) w.res.write(JSON.stringify({ type, object: obj }) + '\n');
}
const pod = (name, ip, ns = 'payments', ipv6 = undefined) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: {} }, spec: { nodeName: 'n1' },
  status: { phase: 'Running', podIP: ip, ...(ipv6 ? { podIPs: [{ ip }, { ip: ipv6 }] } : {}) },
});
const slice = (endpoints) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { name: 'gw-abc', namespace: 'egress', labels: { 'kubernetes.io/service-name': 'gw' } },
  endpoints: endpoints.map(([ip, ready, terminating]) => ({ addresses: [ip], conditions: { ready, terminating }, targetRef: { kind: 'Pod', name: `gw-${ip}` } })),
});

const requests = [];
function handler(req, res) {
  const u = new URL(req.url, 'http://x');
  const kind = u.pathname === '/api/v1/pods' ? 'pods' : u.pathname === '/apis/discovery.k8s.io/v1/endpointslices' ? 'slices' : undefined;
  requests.push(`${u.pathname}?${[...u.searchParams].map(([k, v]) => `${k}=${v}`).join('&')}`);
  if (!kind || req.headers.authorization !== 'Bearer test-token') {
    res.writeHead(kind ? 401 : 404, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ kind: 'Status', code: kind ? 401 : 404 }));
  }
  if (u.searchParams.get('watch') !== 'true') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ kind: 'List', metadata: { resourceVersion: String(rv) }, items: [...objects[kind].values()] }));
  }
  const from = Number(u.searchParams.get('resourceVersion') || '0');
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  if (from < compactedBefore) {
    res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: `too old resource version: ${from}` } }) + '\n');
    return;
  }
  for (const e of events) if (e.kind === kind && e.rv > from) res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
  const w = { kind, res };
  watchers.add(w);
  req.on('close', () => watchers.delete(w));
}

let server;
const sockets = new Set();
function startServer(port) {
  return new Promise((resolve) => {
    server = http.createServer(handler);
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}
function stopServer() {
  return new Promise((resolve) => {
    for (const w of watchers) w.res.destroy();
    watchers.clear();
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last view ${JSON.stringify(last)}`);
    await sleep(20);
  }
}

let last;
const updates = [];
(async () => {
  put('pods', pod('a', '10.201.1.10'), 'ADDED');
  put('pods', pod('other', '10.201.1.99', 'default'), 'ADDED');
  put('slices', slice([['10.201.100.11', true, false]]), 'ADDED');
  const port = await startServer(0);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }], // plain HTTP needs it in client-node 2
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const config = {
    zones: [{ name: 'payments', id: 1, gateway: 'gw', vni: 4101, members: { namespaces: ['payments'], matchLabels: {} } }],
    gateways: [{ name: 'gw', service: { namespace: 'egress', name: 'gw' } }],
  };
  const source = new KubernetesSource('n1', kc);
  const pods = () => (last ? last.pods.map((p) => p.ip).sort() : []);
  const out = { steps: {} };
  await source.start(config, (o) => {
    last = o;
    updates.push(o);
  });
  out.steps.initial = { pods: pods(), gateways: last.gateways, updates: updates.length };

  put('pods', pod('b', '10.201.1.11'), 'ADDED');
  put('slices', slice([['10.201.100.11', false, true], ['10.201.100.12', true, false]]), 'MODIFIED');
  await until('watch events', () => pods().includes('10.201.1.11') && last.gateways.length === 2);
  out.steps.watched = { pods: pods(), gateways: last.gateways };

  // The API server goes away; meanwhile pod c is created and pod a deleted, and the history is compacted.
  await stopServer();
  await sleep(600);
  put('pods', pod('c', '10.201.1.12'), 'ADDED');
  put('pods', objects.pods.get('a'), 'DELETED');
  compactedBefore = rv; // every resourceVersion the adapter holds is now older: 410 Gone, relist
  out.steps.whileDown = { pods: pods() };
  await sleep(1500);
  await startServer(port);
  await until('relist after restart', () => pods().includes('10.201.1.12') && !pods().includes('10.201.1.10'), 15000);
  out.steps.afterRestart = { pods: pods() };
  put('pods', pod('d', '10.201.1.13'), 'ADDED');
  await until('watching again', () => pods().includes('10.201.1.13'));
  out.steps.watchingAgain = { pods: pods() };
  // A dual-stack pod: both of its addresses (status.podIPs) belong to its zone.
  put('pods', pod('e', '10.201.1.14', 'payments', 'fd00:10:201:1::14'), 'ADDED');
  await until('dual-stack pod', () => pods().includes('fd00:10:201:1::14'));
  out.steps.dualStack = { pods: pods() };
  out.requests = requests;
  source.stop();
  await stopServer();
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
})().catch((e) => {
  process.stdout.write(JSON.stringify({ error: e.message, requests }) + '\n');
  process.exit(1);
});
