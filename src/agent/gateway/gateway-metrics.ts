// The agents' own runtime dependencies: installed in the images, never in the construct library.
import { Counter, Gauge, Registry } from 'prom-client';
import { GatewayDesired } from './gateway-desired-state';
import { ConntrackEntry } from '../shared/conntrack-entry';
import { NftCounter } from '../shared/kernel';

export interface GatewayMetricInputs {
  desired(): GatewayDesired | undefined;
  counters(): Promise<NftCounter[]>;
  conntrack(): Promise<ConntrackEntry[]>;
}

/**
 * Per-zone Prometheus metrics, read from the kernel at scrape time: bytes/packets allowed and
 * dropped from the table's named counters, active flows and SNAT ports in use from conntrack
 * (zone id in the conntrack mark). The nft counters restart when the table is replaced; the
 * Prometheus counters only ever add the difference since the last read.
 */
export function registerGatewayMetrics(registry: Registry, inputs: GatewayMetricInputs): void {
  const last = new Map<string, number>();
  const add = (c: Counter<string>, key: string, labels: { [k: string]: string }, now: number) => {
    const before = last.get(key) ?? 0;
    const delta = now >= before ? now - before : now; // table replaced: counter restarted at 0
    // The first read creates the series even at 0: a counter whose series appears only with its first drop hides
    // that increase from rate() and leaves the dashboard's drops panel without data (the lab's real nodes found it).
    if (delta > 0 || !last.has(key)) c.inc(labels, delta);
    last.set(key, now);
  };
  let refresh: Promise<void> | undefined;
  // One kernel read per scrape, shared by every collector (prom-client awaits each collect()).
  const once = () => (refresh ??= refreshCounters().finally(() => setImmediate(() => (refresh = undefined))));
  const collect = async () => {
    await once();
  };
  const opts = (name: string, help: string) => ({ name, help, labelNames: ['zone', 'verdict'], registers: [registry], collect });
  const bytes = new Counter(opts('egress_gateway_zone_bytes_total', 'Bytes from the zone tunnel, by verdict (allowed, dropped)'));
  const packets = new Counter(opts('egress_gateway_zone_packets_total', 'Packets from the zone tunnel, by verdict (allowed, dropped)'));
  const drops = new Counter({ name: 'egress_gateway_zone_drops_total', help: 'Packets to destinations outside the zone allow-list', labelNames: ['zone'], registers: [registry], collect });
  async function refreshCounters(): Promise<void> {
    const d = inputs.desired();
    if (!d) return;
    const counters = new Map((await inputs.counters()).map((c) => [c.name, c]));
    for (const z of d.zones) {
      for (const verdict of ['allowed', 'dropped']) {
        const c = counters.get(`z${z.id}_${verdict}`);
        if (!c) continue;
        add(bytes, `b/${z.name}/${verdict}`, { zone: z.name, verdict }, c.bytes);
        add(packets, `p/${z.name}/${verdict}`, { zone: z.name, verdict }, c.packets);
        if (verdict === 'dropped') add(drops, `d/${z.name}`, { zone: z.name }, c.packets);
      }
    }
  }
  // prom-client collects every metric of a scrape at once: each conntrack gauge reads the scrape's one shared listing
  // in its own collect (the SNAT gauge, filled by the flows gauge's, showed the previous scrape's figures, none at first).
  let listing: Promise<ConntrackEntry[]> | undefined;
  const conntrack = () => (listing ??= inputs.conntrack().finally(() => setImmediate(() => (listing = undefined))));
  new Gauge({
    name: 'egress_gateway_zone_active_flows',
    help: 'Conntrack entries of the zone',
    labelNames: ['zone'],
    registers: [registry],
    async collect() {
      const d = inputs.desired();
      const entries = d ? await conntrack() : [];
      this.reset();
      for (const z of d?.zones ?? []) this.set({ zone: z.name }, entries.filter((e) => e.mark === z.id).length);
    },
  });
  new Gauge({
    name: 'egress_gateway_zone_snat_ports_in_use',
    help: 'Source ports of each egress IP (IPv4, IPv6) taken by the zone\'s flows',
    labelNames: ['zone', 'egress_ip'],
    registers: [registry],
    async collect() {
      const d = inputs.desired();
      const entries = d ? await conntrack() : [];
      this.reset();
      // One series per egress IP the replica holds, of each family: the IPv6 one's ports are a pool of their own.
      const held = [d?.egressIp, d?.egressIp6].filter((ip): ip is string => !!ip);
      for (const z of d?.zones ?? []) {
        for (const ip of held.length ? held : ['']) {
          const used = entries.filter((e) => e.mark === z.id && e.replyDst === ip);
          this.set({ zone: z.name, egress_ip: ip }, new Set(used.map((e) => `${e.protocol}/${e.replyDport}`)).size);
        }
      }
    },
  });
}
