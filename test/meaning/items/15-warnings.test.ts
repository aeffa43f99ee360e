/**
 * Issue 14, item 15: synth warnings are summarised and name what the user declared.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ClusterNetwork, Destination, EgressZone, FirewallExport, FirewallFormat, Port } from '../../../src';
import { captureWarnings, chartFor, objectsOf } from '../support';

test('six zones sharing the node addresses: one summary naming the group, not 15 lines', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'meaning-15-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'egress');
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'] });
  const names = ['z1', 'z2', 'z3', 'z4', 'z5', 'z6'];
  for (const n of names) {
    const z = new EgressZone(chart, n, { namespaces: [n] });
    z.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  }
  new FirewallExport(chart, 'fw', { formats: [FirewallFormat.NFTABLES] });
  const { warnings, error } = captureWarnings(() => app.synth());
  fs.rmSync(outdir, { recursive: true, force: true });
  expect(error).toBeUndefined();
  const shared = warnings.filter(l => /share source addresses/.test(l));
  expect(shared).toHaveLength(1);
  expect(warnings).toEqual(shared);
  for (const n of names) expect(shared[0]).toContain(`"${n}"`);
  expect(shared[0]).toContain('192.0.2.0/26');
});

test('messages about a rule\'s own addresses name the rule and zone, not the internal set', () => {
  const { chart } = chartFor('calico');
  const web = new EgressZone(chart, 'web', { namespaces: ['web'] });
  web.allow('stripe', { to: [Destination.domain('api.stripe.com')], ports: [Port.tcp(443)] });
  const { error, warnings } = captureWarnings(() => objectsOf(chart));
  expect(warnings).toEqual([]);
  expect(error).toBeDefined();
  expect(error!.message).toMatch(/rule "stripe" of zone "web"/);
  expect(error!.message).toMatch(/\(at egress\/web\/stripe\)/);
  expect(error!.message).not.toMatch(/"web-stripe"|\/Destinations/);
});
