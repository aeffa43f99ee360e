/**
 * The dual-stack gateway lab's app (issue 24): one EgressGateway with an IPv4 and an IPv6 egress range, one zone
 * (`partners`) whose pods reach the partner's IPv4 and IPv6 addresses through it, and the zone's nftables and iptables
 * exports. Its cluster ranges are the dual-stack lab's (test/lab/dual-stack-lab.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, YamlOutputType } from 'cdk8s';
import * as YAML from 'yaml';
import { ClusterNetwork, Destination, EgressApp, EgressGateway, EgressZone, FirewallExport, FirewallFormat, Port } from '../../../src';
import { expectWarnings } from '../../support/warnings';
import { LAB_DEFAULT_POOL_V6, LAB_NODE_CIDR_V6 } from '../dual-stack-lab';
import { LAB_DEFAULT_POOL } from '../lab';
import { IPERF_PORT, PARTNER, UDP_PORT } from './gateway-traffic';

/** The partner's IPv6 address (its IPv4 one is gateway-traffic.ts's PARTNER). */
export const PARTNER6 = '2001:db8:100::140';
export const EGRESS_CIDR = '192.0.2.64/29';
export const EGRESS_CIDR_V6 = '2001:db8:e::/125';

export interface DualStackEstate {
  readonly docs: any[];
  /** The firewall export's files, by name. */
  readonly firewall: Record<string, string>;
}

/** Synthesizes the app in-process; returns its manifests and firewall files. */
export function synthDualStackEstate(): DualStackEstate {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ceglab-synth-ds-'));
  const before = process.env.BACKEND;
  delete process.env.BACKEND;
  try {
    const app = new EgressApp({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, 'egress', { disableResourceNameHashes: true });
    new ClusterNetwork(chart, 'cluster', {
      podCidrs: [LAB_DEFAULT_POOL, LAB_DEFAULT_POOL_V6],
      serviceCidrs: ['10.96.0.0/12'],
      nodeCidrs: ['192.0.2.0/26', LAB_NODE_CIDR_V6],
    });
    const gateway = new EgressGateway(chart, 'egress-gateway', {
      name: 'egress',
      namespace: 'egress-gateway',
      egressCidr: EGRESS_CIDR,
      ipv6EgressCidr: EGRESS_CIDR_V6,
      replicas: 2,
    });
    const partners = new EgressZone(chart, 'partners', { description: 'Partner data exchange, both families', namespaces: ['partners'], gateway });
    partners.allow('partner-api', {
      to: [Destination.cidr(`${PARTNER}/32`, 'partner API'), Destination.cidr(`${PARTNER6}/128`, 'partner API (IPv6)')],
      ports: [Port.tcp(443), Port.udp(UDP_PORT), Port.tcp(IPERF_PORT)],
      description: 'Partner API over TLS, and the lab\'s echo and iperf3 ports',
    });
    new FirewallExport(chart, 'firewall', { formats: [FirewallFormat.NFTABLES, FirewallFormat.IPTABLES] });
    expectWarnings([], () => app.synth());
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, 'egress.k8s.yaml'), 'utf8')).map((d) => d.toJSON()).filter(Boolean);
    const dir = path.join(outdir, 'firewall');
    const firewall: Record<string, string> = {};
    for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isFile()) firewall[f] = fs.readFileSync(p, 'utf8');
    }
    return { docs, firewall };
  } finally {
    if (before !== undefined) process.env.BACKEND = before;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
