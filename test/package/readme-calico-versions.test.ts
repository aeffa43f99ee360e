/**
 * README's "Calico versions": the minimum it states covers every field the Calico backend writes, and the
 * tested versions are the lab's. Each field's version is the first v3.X.0 tag of projectcalico/calico whose API
 * types (api/pkg/apis/projectcalico/v3/*.go, v3.22 on) or reference docs (reference/resources/*.md and their
 * rule includes, before) name it. A field not listed here fails the test: look its version up the same way.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { EgressEstate } from '../../examples/app/main';
import { ClusterNetwork, Destination, EgressZone, Port } from '../../src';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

const root = path.join(__dirname, '..', '..');

const RULE: [string, string][] = [
  ['action', 'v3.0.0'], ['protocol', 'v3.0.0'], ['icmp.type', 'v3.0.0'], ['icmp.code', 'v3.0.0'], ['ipVersion', 'v3.1.0'],
  ['destination.nets', 'v3.0.0'], ['destination.notNets', 'v3.0.0'], ['destination.ports', 'v3.0.0'],
  ['destination.selector', 'v3.0.0'], ['destination.namespaceSelector', 'v3.0.0'],
  ['source.nets', 'v3.0.0'], ['source.selector', 'v3.0.0'], ['metadata.annotations', 'v3.12.0'],
];
const POLICY: [string, string][] = [
  ['spec.order', 'v3.0.0'], ['spec.selector', 'v3.0.0'], ['spec.types', 'v3.0.0'],
  ...['egress', 'ingress'].flatMap(dir => RULE.map(([f, v]): [string, string] => [`spec.${dir}[].${f}`, v])),
];
const IPPOOL: [string, string][] = [
  ['spec.cidr', 'v3.0.0'], ['spec.ipipMode', 'v3.0.0'], ['spec.natOutgoing', 'v3.0.0'], ['spec.disabled', 'v3.0.0'],
  ['spec.blockSize', 'v3.3.0'], ['spec.nodeSelector', 'v3.5.0'], ['spec.vxlanMode', 'v3.7.0'], ['spec.allowedUses', 'v3.21.0'],
  ['spec.namespaceSelector', 'v3.31.0'],
];
const FIRST_VERSION = new Map<string, string>([
  ...IPPOOL.map(([f, v]): [string, string] => [`IPPool ${f}`, v]),
  ...POLICY.map(([f, v]): [string, string] => [`NetworkPolicy ${f}`, v]),
  ...[...POLICY, ['spec.namespaceSelector', 'v3.10.0'], ['spec.tier', 'v3.29.0']].map(([f, v]): [string, string] => [`GlobalNetworkPolicy ${f}`, v]),
  ['GlobalNetworkSet spec.nets', 'v3.1.0'],
  ['NetworkSet spec.nets', 'v3.7.0'],
  ['Tier spec.order', 'v3.29.0'],
]);

/** `<kind> <field path>` of every leaf in the objects' specs, arrays as `[]`, maps of annotations as one field. */
function fieldsOf(objects: any[]): Set<string> {
  const out = new Set<string>();
  const walk = (kind: string, p: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach(x => walk(kind, p.endsWith('[]') || typeof x !== 'object' ? p : `${p}[]`, x));
    else if (v !== null && typeof v === 'object' && !p.endsWith('.annotations')) Object.entries(v).forEach(([k, x]) => walk(kind, `${p}.${k}`, x));
    else out.add(`${kind} ${p}`);
  };
  for (const o of objects.filter(x => x.apiVersion === 'projectcalico.org/v3')) walk(o.kind, 'spec', o.spec);
  return out;
}

const minor = (v: string) => v.split('.').slice(0, 2).join('.');
const newer = (a: string, b: string) => (Number(a.split('.')[1]) >= Number(b.split('.')[1]) ? a : b);

test('README\'s minimum Calico version covers every field the Calico backend writes, and names the lab\'s versions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-calico-versions-'));
  try {
    const example = new App({ outdir: dir });
    new EgressEstate(example, 'egress');
    // What the example does not declare: a tiered zone and ICMP.
    const extra = new App({ outdir: dir });
    const chart = new Chart(extra, 'tiered');
    new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
    new EgressZone(chart, 'ops', { namespaces: ['ops'], tier: 'security' })
      .allow('ping', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.icmp({ type: 8, code: 0 })] });
    const fields = fieldsOf([
      ...expectWarnings(exampleWarnings(), () => example.charts.flatMap(c => c.toJson())),
      ...expectWarnings([], () => extra.charts.flatMap(c => c.toJson())),
    ]);

    expect([...fields].filter(f => !FIRST_VERSION.has(f))).toEqual([]);
    expect(fields).toContain('IPPool spec.namespaceSelector');
    const needed = [...fields].map(f => FIRST_VERSION.get(f)!).reduce(newer);
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`**Calico ${minor(needed)} or later**`);

    const pins = Object.fromEntries(fs.readFileSync(path.join(root, 'scripts', 'lab', 'versions.env'), 'utf8')
      .split('\n').filter(l => /^\w+=/.test(l)).map(l => l.split('=')));
    expect(readme).toContain(`Tested with Calico ${pins.CALICO_RELEASE} and Kubernetes ${pins.K8S_VERSION}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
