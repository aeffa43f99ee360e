/**
 * The cdk8s-egress command line as a user meets it: help, version, usage errors (one line, exit 2), plain text
 * by default and JSON with -o json. Runs main() in-process on the example estate's synthesized model.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { EgressEstate } from '../../examples/app/main';
import { main } from '../../src/cli/main';
import { CanReach } from '../../src/review/can-reach';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

function run(...argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, l => out.push(...l.split('\n')), l => err.push(...l.split('\n')));
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-cli-'));
  const app = new App({ outdir: dir });
  new EgressEstate(app, 'egress');
  expectWarnings(exampleWarnings(), () => app.synth());
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--help and <command> --help print usage on stdout and exit 0', () => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const r = run(...argv);
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toBe('Usage: cdk8s-egress <command> [options]');
    expect(r.out.filter(l => /^ {2}(can-reach|diff) /.test(l))).toHaveLength(2);
  }
  for (const command of ['can-reach', 'diff']) {
    const r = run(command, '--help');
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toMatch(new RegExp(`^Usage: cdk8s-egress ${command} --`));
    expect(r.out.some(l => /^ {2}-o, --output/.test(l))).toBe(true);
    expect(run(command, '-h').out).toEqual(r.out);
  }
});

test('can-reach --help shows how to ask about ICMP, and each --to example it gives is a question can-reach answers', () => {
  const help = run('can-reach', '--help').out.join('\n');
  // Concrete destinations only (a digit before the protocol), not the placeholders of the usage line.
  const examples = [...help.matchAll(/(?<=[\s,:(])(\[?[0-9a-z.:]+\]?(:[0-9]+)?\/[a-z0-9]+(\/[0-9]+)?)(?=[\s,;)]|$)/g)]
    .map(m => m[1]).filter(to => /\d/.test(to.split('/')[0]));
  expect(examples).toEqual(expect.arrayContaining(['192.0.2.1/icmp/8', '2001:db8::10/icmpv6/128', '203.0.113.10:443/tcp']));
  for (const to of examples) {
    const r = run('can-reach', '--app', dir, '--from', 'payments/app=payments-api', '--to', to, '-o', 'json');
    if (to.startsWith('kubernetes.default')) {
      // Answered from ClusterNetwork apiServerAddresses, as the help says; the example declares none, and the error says so.
      expect(r).toMatchObject({ code: 2, err: [expect.stringMatching(/apiServerAddresses/)] });
      continue;
    }
    expect({ to, answered: r.code === 0 || r.code === 1, err: r.err }).toEqual({ to, answered: true, err: [] });
    expect(JSON.parse(r.out.join('\n')).allowed).toBe(r.code === 0);
  }
  // The type after /icmp/ is the ICMP type asked about (8: echo request).
  expect(CanReach.parseDestination('192.0.2.1/icmp/8')).toEqual({ ip: '192.0.2.1', protocol: 1, port: 8 });
});

test('--version prints package.json\'s version', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  expect(run('--version')).toEqual({ code: 0, out: [pkg.version], err: [] });
});

test.each([
  [[], 'error: no command given (see \'cdk8s-egress --help\')'],
  [['reach'], 'error: unknown command "reach" (see \'cdk8s-egress --help\')'],
  [['--verbose'], 'error: unknown option "--verbose" (see \'cdk8s-egress --help\')'],
  [['can-reach', '--app', 'dist', '--from', 'payments'], 'error: --to is required (see \'cdk8s-egress can-reach --help\')'],
  [['can-reach', '--frm', 'payments'], 'error: Unknown option \'--frm\' (see \'cdk8s-egress can-reach --help\')'],
  [['can-reach', '--app'], 'error: Option \'--app <value>\' argument missing (see \'cdk8s-egress can-reach --help\')'],
  [['diff', '--before', 'a', '--after', 'b', '-o', 'yaml'], 'error: -o "yaml" is not one of text, json, markdown (see \'cdk8s-egress diff --help\')'],
  [['diff', 'extra'], 'error: Unexpected argument \'extra\'. This command does not take positional arguments (see \'cdk8s-egress diff --help\')'],
])('usage error %j: one line on stderr, exit 2', (argv, line) => {
  expect(run(...argv)).toEqual({ code: 2, out: [], err: [line] });
});

test('an input error is one line too', () => {
  const r = run('can-reach', '--app', path.join(dir, 'missing'), '--from', 'payments', '--to', '203.0.113.10:443/tcp');
  expect(r.code).toBe(2);
  expect(r.err).toEqual([`error: no egress model at ${path.join(dir, 'missing')}: synthesize the app with an EgressReview construct first`]);
});

test('can-reach: plain text by default, the same answer with -o json', () => {
  const args = ['can-reach', '--app', dir, '--from', 'payments/app=payments-api', '--to', '203.0.113.10:443/tcp'];
  const text = run(...args);
  expect(text.code).toBe(0);
  expect(text.out[0]).toMatch(/^ALLOWED: allowed by rule "card-processor" of zone "payments"/);
  const json = run(...args, '-o', 'json');
  expect(json.code).toBe(0);
  const answer = JSON.parse(json.out.join('\n'));
  expect(answer).toMatchObject({ allowed: true, zone: 'payments', rule: 'card-processor' });
  expect(text.out[0]).toBe(`ALLOWED: ${answer.reason}`);
  expect(text.out[2]).toBe(`  source seen by 203.0.113.10: ${answer.sourceSeen}`);

  const denied = run('can-reach', '--app', dir, '--from', 'sandbox', '--to', '203.0.113.10:443/tcp', '--output=json');
  expect(denied.code).toBe(1);
  expect(JSON.parse(denied.out.join('\n'))).toMatchObject({ allowed: false, zone: 'locked' });
});

test('diff: no change exits 0; -o json lists the changes', () => {
  expect(run('diff', '--before', dir, '--after', dir)).toEqual({ code: 0, out: ['no change in egress posture'], err: [] });
  expect(JSON.parse(run('diff', '--before', dir, '--after', dir, '-o', 'json').out.join('\n'))).toEqual({ changes: [] });
});
