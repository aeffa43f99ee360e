import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Backend, ClusterNetwork, Destination, EgressZone, NatPool, Port } from '../../src';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { DomainHandling } from '../../src/exporters/firewall-exporter';
import { FirewallFormat } from '../../src/exporters/firewall-format';
import { EgressModel } from '../../src/synth/egress-model';
import { captureWarnings } from '../support/warnings';

function estate(outdir: string) {
  const app = new App({ outdir });
  const chart = new Chart(app, 'c');
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16', '10.250.0.0/24'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'] });
  const pool = new NatPool(chart, 'pay-pool', { cidr: '10.250.0.0/24', natOutgoing: false, blockSize: 28 });
  const pay = new EgressZone(chart, 'payments', { namespaces: ['payments'], natPools: [pool] });
  pay.allow('card', { to: [Destination.cidr('203.0.113.0/26', 'card')], ports: [Port.tcp(443)] });
  const web = new EgressZone(chart, 'web', { namespaces: ['web'], backend: Backend.CILIUM });
  web.allow('api', { to: [Destination.domain('api.example.com'), Destination.cidr('198.51.100.7', 'api')], ports: [Port.tcp(443)] });
  return { app, chart, pay, web };
}

describe('FirewallExport construct', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwx-construct-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes the chosen formats for the chosen zones into outdir at synth; rules added after construction count', () => {
    const { app, chart, pay } = estate(dir);
    const out = path.join(dir, 'fw');
    new FirewallExport(chart, 'edge', { formats: [FirewallFormat.NFTABLES, FirewallFormat.CSV], zones: [pay], outdir: out });
    pay.allow('late', { to: [Destination.cidr('203.0.113.200', 'late')], ports: [Port.tcp(8443)] });
    expect(fs.existsSync(out)).toBe(false);
    app.synth();
    expect(fs.readdirSync(out).sort()).toEqual(['egress.nft', 'inventory.csv']);
    const csv = fs.readFileSync(path.join(out, 'inventory.csv'), 'utf8');
    expect(csv).toMatch(/^payments,late,payments-late-v4,allow,4,10\.250\.0\.0\/24,.*203\.0\.113\.200\/32,late,,tcp\/8443/m);
    expect(csv).not.toMatch(/^web,/m);
  });

  test('domains on a format that cannot match names fail the synth by default, naming the rule', () => {
    const { app, chart } = estate(dir);
    new FirewallExport(chart, 'edge', { formats: [FirewallFormat.IPTABLES] });
    expect(() => app.synth()).toThrow(/iptables: zone "web" rule "api" domains "api\.example\.com": the format cannot match domain names \(at c\/web\/api\); hint: /);
    expect(fs.existsSync(path.join(dir, 'firewall'))).toBe(false);
  });

  test('with DomainHandling.WARN the synth writes the rest and reports what it left out', () => {
    const { app, chart } = estate(dir);
    const fx = new FirewallExport(chart, 'edge', { formats: [FirewallFormat.IPTABLES, FirewallFormat.PANOS], domainHandling: DomainHandling.WARN });
    const { warnings } = captureWarnings(() => app.synth());
    expect(fx.warnings.join('\n')).toMatch(/iptables: zone "web" rule "api" domains "api\.example\.com".*left out of iptables/);
    // What the export reports is what the synth printed, no more.
    expect(warnings).toEqual(fx.warnings.map(w => `firewall export c/edge: ${w}`));
    expect(fs.readFileSync(path.join(dir, 'firewall', 'panos.set'), 'utf8')).toMatch(/fqdn api\.example\.com/);
    expect(fs.readFileSync(path.join(dir, 'firewall', 'egress.rules.v4'), 'utf8')).toMatch(/-s 192\.0\.2\.0\/26 -d 198\.51\.100\.7\/32 /);
  });

  test('programmatic use without synth returns the files and writes nothing', () => {
    const { app } = estate(dir);
    const files = FirewallExport.render(EgressModel.of(app), FirewallFormat.JSON);
    expect(files.map(f => f.path)).toEqual(['inventory.json']);
    const inventory = JSON.parse(files[0].content);
    expect(inventory.zones.map((z: { name: string }) => z.name)).toEqual(['payments', 'web']);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('an empty format list is rejected at construction', () => {
    const { chart } = estate(dir);
    expect(() => new FirewallExport(chart, 'edge', { formats: [] })).toThrow(/FirewallExport formats "\[\]" is empty \(at c\/edge\); hint: FirewallFormat.all\(\)/);
  });
});
