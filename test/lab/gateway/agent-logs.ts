/**
 * What the gateway labs read off the agents' JSON logs and write into their configuration, shared by the played
 * replicas (gateway-lab.ts, gateway.lab.test.ts) and the real nodes' (test/lab/node), where the logs come from the
 * kubelet (`kubectl logs`) and the configuration is the ConfigMap itself.
 */

const escaped = (ip: string) => ip.replace(/\./g, '\\.');

/** When a gateway agent last logged "applied" with this egress IP, in ms since the epoch (0: not yet): it is ready. */
export function appliedIn(log: string, ip: string): number {
  const re = new RegExp(`"time":"([^"]+)","level":"info","msg":"applied","egressIp":"${escaped(ip)}"`, 'g');
  const times = [...log.matchAll(re)].map((m) => Date.parse(m[1]));
  return times.length ? times[times.length - 1] : 0;
}

/** When a node agent's log first declared this replica dead (ms since the epoch), or undefined. */
export function deadIn(log: string, ip: string): number | undefined {
  const m = new RegExp(`"time":"([^"]+)"[^\\n]*"ip":"${escaped(ip)}","from":"[a-z-]+","to":"dead"`).exec(log);
  return m ? Date.parse(m[1]) : undefined;
}

/** A gateway agent's first "table updated" line in `log`: [the line, prefixes added, removed, nft ms (stage + swap)]. */
export function tableUpdateIn(log: string): [string, string, string, string] | undefined {
  const m = /"msg":"table updated","sets":\[[^\]]*\],"added":(\d+),"removed":(\d+),"stageMs":(\d+),"swapMs":(\d+)/.exec(log);
  return m ? [m[0], m[1], m[2], String(Number(m[3]) + Number(m[4]))] : undefined;
}

/** One filler allow-list prefix (tcp/443): the i-th /24 of 100.64.0.0/10, or of a second block after `second` /16s. */
export function fillerPrefix(i: number, second = 0): object {
  return { cidr: `100.${64 + second + Math.floor(i / 256)}.${i % 256}.0/24`, protocol: 'tcp', ports: ['443'] };
}

/** The data-path configuration with the partners zone's allow-list grown by `fillers`; `indent` as JSON.stringify's. */
export function withFillers(goodConfig: string, fillers: object[], indent?: number): string {
  const c = JSON.parse(goodConfig);
  const zone = c.zones.find((z: any) => z.name === 'partners');
  zone.allow = [...zone.allow, ...fillers];
  return JSON.stringify(c, null, indent);
}

/** How many filler prefixes bring the partners zone's allow-list to `total`. */
export function fillersFor(goodConfig: string, total: number): number {
  return total - JSON.parse(goodConfig).zones.find((z: any) => z.name === 'partners').allow.length;
}
