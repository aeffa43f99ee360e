import * as fs from 'fs';
import { isIPv4 } from 'net';
import { jsonValues } from './flow-file';
import { FlowRecordError } from './flow-record';

/**
 * One destination a staged zone's pods connected to, as the node agents' address observer recorded it (the
 * `ObservedAddresses` documents `main.js observed-addresses` prints, one per node; src/agent/node/address-observer.ts).
 * Goldmane stays the authority on what would be denied: these only name the addresses behind its "pub"/"pvt".
 */
export interface ObservedAddress {
  readonly node: string;
  readonly zone: string;
  readonly address: string;
  readonly protocol: string;
  readonly port: number;
  readonly connections: number;
  /** Seconds since the epoch. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** What a file of observer documents holds: the addresses, and per node and zone what a full set did not record. */
export interface ObservedAddresses {
  readonly addresses: ObservedAddress[];
  /** "<node>/<zone>" → connections not recorded because the set was full. */
  readonly unrecorded: { [nodeZone: string]: number };
}

/**
 * Reads the documents one after another (`for p in <agents>; do kubectl exec $p -- ... observed-addresses; done >
 * addresses.json`), or a JSON array of them. A value that is not such a document is an error naming the file and line.
 */
export function readObservedAddresses(file: string): ObservedAddresses {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlowRecordError(file, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`);
  }
  const addresses: ObservedAddress[] = [];
  const unrecorded: { [nodeZone: string]: number } = {};
  for (const { value, line } of jsonValues(text, file)) {
    for (const doc of Array.isArray(value) ? value : [value]) {
      const where = `${file}:${line}`;
      const d = doc as { kind?: unknown; node?: unknown; zones?: unknown };
      if (typeof d !== 'object' || d === null || d.kind !== 'ObservedAddresses' || !Array.isArray(d.zones)) {
        throw new FlowRecordError(where, 'is not an ObservedAddresses document (what `main.js observed-addresses` of the node agent prints)');
      }
      const node = typeof d.node === 'string' ? d.node : '';
      for (const z of d.zones as any[]) {
        if (typeof z?.zone !== 'string' || !Array.isArray(z.addresses)) throw new FlowRecordError(where, 'has a zone without "zone" and "addresses"');
        if (Number(z.unrecorded) > 0) unrecorded[`${node}/${z.zone}`] = Number(z.unrecorded);
        for (const a of z.addresses) addresses.push(entry(a, node, z.zone, where));
      }
    }
  }
  return { addresses, unrecorded };
}

function entry(a: any, node: string, zone: string, where: string): ObservedAddress {
  const seconds = (t: unknown) => (typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? Date.parse(t) / 1000 : NaN);
  const e = {
    node,
    zone,
    address: a?.address,
    protocol: a?.protocol,
    port: a?.port,
    connections: a?.connections,
    firstSeen: seconds(a?.firstSeen),
    lastSeen: seconds(a?.lastSeen),
  };
  if (typeof e.address !== 'string' || !isIPv4(e.address) || typeof e.protocol !== 'string' || !Number.isInteger(e.port)
    || !Number.isInteger(e.connections) || Number.isNaN(e.firstSeen) || Number.isNaN(e.lastSeen)) {
    throw new FlowRecordError(where, `address entry ${JSON.stringify(a)} of zone "${zone}" needs address (IPv4), protocol, port, connections, firstSeen and lastSeen`);
  }
  return e as ObservedAddress;
}
