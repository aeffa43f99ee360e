/**
 * Issue 21, item 2: removing a zone, a namespace of a zone, or narrowing its selector leaves the pods that
 * leave the zone with no egress restriction at all. The diff says so first, in every output format, and the
 * workloads it names are the ones can-reach on the new model calls "not-in-any-zone".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CanReach, Destination, EgressModel, EgressModelDocument, EgressZone, InClusterTraffic, Port, PostureDiff, Selector } from '../../src';
import { main } from '../../src/cli/main';
import { chartFor } from '../meaning/support';

interface ZoneDecl { id: string; namespaces?: string[]; podSelector?: Selector; namespaceSelector?: Selector }

function model(...zones: ZoneDecl[]): EgressModelDocument {
  const { chart } = chartFor('calico');
  for (const z of zones) {
    const zone = new EgressZone(chart, z.id, { namespaces: z.namespaces, podSelector: z.podSelector, namespaceSelector: z.namespaceSelector });
    zone.allow('smtp', { to: [Destination.cidr('192.0.2.125/32')], ports: [Port.tcp(587)] });
  }
  return EgressModel.of(chart);
}

const MAIL: ZoneDecl = { id: 'mail', namespaces: ['mail'] };
const OTHER: ZoneDecl = { id: 'web', namespaces: ['web'] };

describe('the diff reports pods that leave every zone as a widening', () => {
  test('a removed zone: its namespace is unrestricted now, and that comes first', () => {
    const before = model(MAIL, OTHER);
    const after = model(OTHER);
    const changes = PostureDiff.compare(before, after);
    expect(changes[0]).toEqual({ zone: 'mail', change: 'unrestricted', destination: 'any', port: 'all', workloads: 'every pod of namespace mail' });
    expect(changes.map(c => c.change)).toEqual(['unrestricted', 'removed', 'zone-removed']);
    expect(PostureDiff.widening(changes)).toBe('WIDENED: every pod of namespace mail (zone "mail") is in no zone any more: nothing restricts their egress');
    // what the diff says is what can-reach says on the new model
    expect(CanReach.evaluate(after, { namespace: 'mail', ...CanReach.parseDestination('198.51.100.1:22/tcp') }).rule).toBe('not-in-any-zone');
  });

  test('a namespace removed from a zone', () => {
    const changes = PostureDiff.compare(model({ id: 'mail', namespaces: ['mail', 'relay'] }), model(MAIL));
    expect(changes.filter(c => c.change === 'unrestricted').map(c => c.workloads)).toEqual(['every pod of namespace relay']);
  });

  test('a narrowed pod selector: the pods it no longer selects, with an example of their labels', () => {
    const before = model({ id: 'mail', namespaces: ['mail'], podSelector: Selector.parse('has(app)') });
    const after = model({ id: 'mail', namespaces: ['mail'], podSelector: Selector.parse('app == "smtp"') });
    const left = PostureDiff.compare(before, after).filter(c => c.change === 'unrestricted');
    expect(left.map(c => c.workloads)).toEqual(['pods labelled app=other of namespace mail']);
    expect(CanReach.evaluate(after, { namespace: 'mail', podLabels: { app: 'other' }, ...CanReach.parseDestination('198.51.100.1:22/tcp') }).rule).toBe('not-in-any-zone');
  });

  test('a narrowed namespace selector', () => {
    const before = model({ id: 'mail', namespaceSelector: Selector.parse('has(team)') });
    const after = model({ id: 'mail', namespaceSelector: Selector.parse('team == "mail"') });
    const left = PostureDiff.compare(before, after).filter(c => c.change === 'unrestricted');
    expect(left).toHaveLength(1);
    expect(left[0].workloads).toMatch(/^every pod of namespace another-namespace \(labels team=other\)$/);
  });

  test('no widening when the pods stay in a zone: renamed zone, namespace moved, selector widened', () => {
    expect(PostureDiff.compare(model(MAIL), model({ id: 'mail2', namespaces: ['mail'] })).map(c => c.change)).not.toContain('unrestricted');
    expect(PostureDiff.compare(model({ id: 'mail', namespaces: ['mail', 'relay'] }), model(MAIL, { id: 'relay', namespaces: ['relay'] }))
      .map(c => c.change)).not.toContain('unrestricted');
    expect(PostureDiff.compare(model({ id: 'mail', namespaces: ['mail'], podSelector: Selector.parse('app == "smtp"') }), model(MAIL))
      .map(c => c.change)).not.toContain('unrestricted');
    expect(PostureDiff.widening(PostureDiff.compare(model(MAIL), model(MAIL)))).toBeUndefined();
  });
});

describe('every output format of `cdk8s-egress diff` says so first', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-diff-'));
    fs.writeFileSync(path.join(dir, 'before.json'), JSON.stringify(model(MAIL, OTHER)));
    fs.writeFileSync(path.join(dir, 'after.json'), JSON.stringify(model(OTHER)));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (...format: string[]) => {
    const out: string[] = [];
    const code = main(['diff', '--before', path.join(dir, 'before.json'), '--after', path.join(dir, 'after.json'), ...format], l => out.push(...l.split('\n')));
    return { code, out };
  };

  test.each([[[]], [['-o', 'text']], [['-o', 'markdown']], [['--markdown']]])('%j', format => {
    const { code, out } = run(...format);
    expect(code).toBe(1);
    expect(out[0]).toMatch(/^(\*\*⚠ )?WIDENED: every pod of namespace mail \(zone "mail"\) is in no zone any more/);
  });

  test('-o json: the widening is the first field', () => {
    const { out } = run('-o', 'json');
    const parsed = JSON.parse(out.join('\n'));
    expect(Object.keys(parsed)[0]).toBe('widening');
    expect(parsed.widening).toMatch(/^WIDENED: /);
    expect(parsed.changes[0].change).toBe('unrestricted');
  });
});

test('a changed in-cluster choice is a change of its own', () => {
  const build = (inCluster: InClusterTraffic) => {
    const { chart } = chartFor('calico');
    new EgressZone(chart, 'mail', { namespaces: ['mail'], inCluster });
    return EgressModel.of(chart);
  };
  expect(PostureDiff.compare(build(InClusterTraffic.PASS), build(InClusterTraffic.ALLOW)))
    .toEqual([{ zone: 'mail', change: 'in-cluster', destination: 'pass -> allow', port: '' }]);
});
