#!/usr/bin/env node
/**
 * cdk8s-egress command line: questions answered from a synthesized app's egress model, without a cluster.
 *
 *   cdk8s-egress can-reach --app dist --from payments/app=api --to 203.0.113.10:443/tcp
 *   cdk8s-egress diff --before old/dist --after dist [-o markdown]
 *   cdk8s-egress rollout-report --app dist --flows flows.json [-o markdown]
 *
 * Conventions of kubectl and cdk8s: `--help` / `<command> --help` print usage and exit 0, `--version`,
 * plain text by default and `-o json` for machines. Exit codes: can-reach 0 allowed, 1 denied; diff 0 no
 * change, 1 changes (like diff(1) and `kubectl diff`); rollout-report 0 nothing a staged zone would deny, 1
 * something; 2 a usage or input error, reported in one line. A command that reads a network source (the
 * rollout report from Goldmane's API) answers with a promise; the others answer at once, so tests call main()
 * in-process and get the exit code back.
 * Flags are parsed with node's util.parseArgs: no dependency to bundle into the jsii package.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, ParseArgsConfig } from 'util';
import { UsageError, Values, loadModel, need } from './cli-support';
import { ROLLOUT_REPORT_USAGE, rolloutReport } from './rollout-report-command';
import { ZoneSources } from '../model/zone-source';
import { CanReach } from '../review/can-reach';
import { PostureDiff } from '../review/posture-diff';

type Options = NonNullable<ParseArgsConfig['options']>;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  /** Options without which the command cannot run: checked before any file is read. */
  readonly required: string[];
  readonly outputs: string[];
  readonly run: (values: Values, output: string, out: (line: string) => void) => number | Promise<number>;
}

const COMMON: Options = {
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
};

const COMMANDS: { [name: string]: Command } = {
  'can-reach': {
    summary: 'Whether a workload may reach an external address, and which rule decides',
    usage: `Usage: cdk8s-egress can-reach --app <dir | egress-model.json> --from <namespace>[/<key>=<value>,...] --to <ip>:<port>/<proto> | <ip>/icmp/<type> [--to-pod <namespace>[/<labels>]] [-o text|json]

Answers from the egress model an app synthesized with an EgressReview (<outdir>/egress-model.json).

Options:
  --app <path>       the app's output directory, or its egress-model.json
  --from <workload>  namespace, optionally with pod labels: payments/app=payments-api,tier=web
  --to <dest>        destination ip:port/protocol, e.g. 203.0.113.10:443/tcp, [2001:db8::10]:443/tcp,
                     api.example.com:443/tcp; ICMP as ip/icmp/type: 192.0.2.1/icmp/8 (echo request),
                     2001:db8::10/icmpv6/128, or 192.0.2.1/icmp for any type;
                     kubernetes.default:443/tcp asks about the API server (ClusterNetwork apiServerAddresses)
  --to-pod <pod>     the destination is a pod: namespace[/<key>=<value>,...] (e.g. kube-system/k8s-app=kube-dns)
  --http <request>   an HTTP request, for zones with a mesh: --http GET /v1/charges (the answer is per layer:
                     network, then mesh)
  -o, --output       text (default) or json
  -h, --help         show this help

Exit status: 0 allowed, 1 denied, 2 usage or input error.`,
    options: { 'app': { type: 'string' }, 'from': { type: 'string' }, 'to': { type: 'string' }, 'to-pod': { type: 'string' }, 'http': { type: 'string' }, ...COMMON },
    required: ['app', 'from', 'to'],
    outputs: ['text', 'json'],
    run: canReach,
  },
  'diff': {
    summary: 'What became reachable and what stopped between two synthesized apps',
    usage: `Usage: cdk8s-egress diff --before <dir | egress-model.json> --after <dir | egress-model.json> [-o text|json|markdown]

Compares the (zone, destination, port) pairs the two egress models allow, and each zone's exit.

Options:
  --before <path>    the old app's output directory, or its egress-model.json
  --after <path>     the new app's output directory, or its egress-model.json
  -o, --output       text (default: one tab-separated line per change), json, or markdown (for a pull request)
                     When pods left every zone (their egress is unrestricted now), every format says so first.
  --markdown         the same as -o markdown
  -h, --help         show this help

Exit status: 0 no change, 1 changes, 2 usage or input error.`,
    options: { before: { type: 'string' }, after: { type: 'string' }, markdown: { type: 'boolean' }, ...COMMON },
    required: ['before', 'after'],
    outputs: ['text', 'json', 'markdown'],
    run: diff,
  },
  'rollout-report': {
    summary: 'What staged zones would deny, from Calico\'s flow logs, and the rules to allow it',
    usage: ROLLOUT_REPORT_USAGE,
    options: {
      'app': { type: 'string' },
      'flows': { type: 'string' },
      'zone': { type: 'string' },
      'addresses': { type: 'string' },
      'since': { type: 'string' },
      'ca': { type: 'string' },
      'cert': { type: 'string' },
      'key': { type: 'string' },
      'server-name': { type: 'string' },
      'markdown': { type: 'boolean' },
      ...COMMON,
    },
    required: ['app', 'flows'],
    outputs: ['text', 'json', 'markdown'],
    run: rolloutReport,
  },
};

const USAGE = `Usage: cdk8s-egress <command> [options]

Answers questions about an app's egress posture from the model it synthesized (no cluster needed), and reports
what its staged zones would deny from Calico's flow logs.

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`).join('\n')}

Options:
  -h, --help     show this help ('cdk8s-egress <command> --help' for a command's)
  --version      print the version

Run 'cdk8s-egress <command> --help' for a command's options.`;

/** The package's version, from the package.json beside lib/ (or src/ under ts-node). */
export function version(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

/** "<namespace>[/<key>=<value>,...]" as a namespace and labels. */
function workload(flag: string, text: string): { namespace: string; labels: { [k: string]: string } } {
  const [namespace, labelText] = text.split('/', 2);
  const labels: { [k: string]: string } = {};
  for (const kv of (labelText ?? '').split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i < 1) throw new UsageError(`--${flag} label "${kv}" is not key=value`);
    labels[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { namespace, labels };
}

function canReach(values: Values, output: string, out: (line: string) => void): number {
  const doc = loadModel(need(values, 'app'));
  const { namespace, labels: podLabels } = workload('from', need(values, 'from'));
  const pod = typeof values['to-pod'] === 'string' ? workload('to-pod', values['to-pod']) : undefined;
  const dest = CanReach.parseDestination(need(values, 'to'));
  const http = typeof values.http === 'string' ? httpRequest(values.http) : {};
  const answer = CanReach.evaluate(doc, {
    namespace, podLabels, ...dest, destinationNamespace: pod?.namespace, destinationPodLabels: pod?.labels, ...http,
  });
  const zone = answer.zone ? doc.zones.find(z => z.name === answer.zone) : undefined;
  const to = dest.ip ?? dest.domain!;
  const rule = zone?.rules.find(r => r.name === answer.rule);
  // Only traffic that leaves the cluster is NATed: DNS, the API server, pods and nodes see the pod's own address.
  const enforcedSource = !answer.allowed || !zone ? undefined
    : rule ? ZoneSources.forDestination(doc, zone, to, rule).description : 'the pod\'s own address (no NAT inside the cluster)';
  // A staged zone's traffic does not take its gateway yet: the source is the gateway's only once it is enforced.
  const gated = zone !== undefined && (zone.exit.gateway !== undefined || zone.rules.some(r => r.gateway !== undefined));
  const sourceSeen = enforcedSource && answer.staged && gated ? `${enforcedSource} once the zone is enforced (staged: its traffic does not take its gateway yet)` : enforcedSource;
  if (output === 'json') {
    out(JSON.stringify({ ...answer, ...(sourceSeen ? { sourceSeen } : {}) }, undefined, 2));
  } else {
    out(`${answer.allowed ? 'ALLOWED' : 'DENIED'}: ${answer.reason}`);
    out(`  decided by: ${answer.zone ? `zone ${answer.zone}, ` : ''}rule ${answer.rule}`);
    for (const l of answer.layers ?? []) out(`  ${l.layer}: ${l.allowed ? 'allowed' : 'DENIED'}: ${l.reason}`);
    if (sourceSeen) out(`  source seen by ${to}: ${sourceSeen}`);
  }
  return answer.allowed ? 0 : 1;
}

/** "--http GET /v1/charges" (two words) as the one value "GET /v1/charges". */
function joinHttpRequest(args: string[]): string[] {
  const out = [...args];
  const i = out.indexOf('--http');
  if (i >= 0 && i + 2 < out.length && /^[A-Z]+$/.test(out[i + 1]) && out[i + 2].startsWith('/')) out.splice(i + 1, 2, `${out[i + 1]} ${out[i + 2]}`);
  return out;
}

/** "GET /v1/charges", "GET" or "/v1/charges" as a method and a path. */
function httpRequest(text: string): { httpMethod?: string; httpPath?: string } {
  const parts = text.trim().split(/\s+/);
  const method = parts.find(p => /^[A-Z]+$/.test(p));
  const reqPath = parts.find(p => p.startsWith('/'));
  if (parts.length > 2 || parts.some(p => p !== method && p !== reqPath)) throw new UsageError(`--http "${text}" is not "<METHOD> <path>", e.g. --http GET /v1/charges`);
  return { ...(method ? { httpMethod: method } : {}), ...(reqPath ? { httpPath: reqPath } : {}) };
}

function diff(values: Values, output: string, out: (line: string) => void): number {
  const changes = PostureDiff.compare(loadModel(need(values, 'before')), loadModel(need(values, 'after')));
  // A widening is said first in every format: text and markdown start with it, JSON's first field is it.
  const widening = PostureDiff.widening(changes);
  if (output === 'json') {
    out(JSON.stringify({ ...(widening ? { widening } : {}), changes }, undefined, 2));
  } else if (output === 'markdown') {
    out(PostureDiff.toMarkdown(changes));
  } else if (changes.length === 0) {
    out('no change in egress posture');
  } else {
    if (widening) out(widening);
    for (const c of changes) out(`${c.zone}\t${c.change}\t${c.destination}\t${c.port}${c.workloads ? `\t${c.workloads}` : ''}`);
  }
  return changes.length === 0 ? 0 : 1;
}

/**
 * Runs the CLI; returns the exit code (so tests call it in-process). Results go to `out` (stdout), errors to `err`
 * (stderr). A command that reads the network (rollout-report from Goldmane's API) answers through mainAsync.
 */
export function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = line => process.stderr.write(`${line}\n`),
): number {
  const code = dispatch(argv, out, err);
  if (typeof code === 'number') return code;
  code.catch(() => undefined);
  throw new Error(`cdk8s-egress ${argv[0]} with these options reads the network: call mainAsync()`);
}

/** main() for every command, those that read the network included: what the `cdk8s-egress` binary runs. */
export function mainAsync(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = line => process.stderr.write(`${line}\n`),
): Promise<number> {
  return Promise.resolve(dispatch(argv, out, err));
}

function dispatch(argv: string[], out: (line: string) => void, err: (line: string) => void): number | Promise<number> {
  const [first, ...rest] = argv;
  const command = first !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, first) ? COMMANDS[first] : undefined;
  const fail = (e: unknown): number => {
    const message = (e as Error).message.split('\n').map(l => l.trim()).filter(Boolean).join(' ');
    const help = e instanceof UsageError ? ` (see 'cdk8s-egress ${command ? `${first} ` : ''}--help')` : '';
    err(`error: ${message}${help}`);
    return 2;
  };
  try {
    if (!command) {
      if (first === '--version' || first === '-v') {
        out(version());
        return 0;
      }
      if (first === '--help' || first === '-h' || first === 'help') {
        out(USAGE);
        return 0;
      }
      throw new UsageError(first === undefined ? 'no command given'
        : first.startsWith('-') ? `unknown option "${first}"` : `unknown command "${first}"`);
    }
    let values: Values;
    try {
      values = parseArgs({ args: joinHttpRequest(rest), options: command.options, strict: true, allowPositionals: false }).values;
    } catch (e) {
      // util.parseArgs's messages say what was wrong; keep their first sentence on one line.
      throw new UsageError((e as Error).message.split('\n')[0].replace(/\. To specify .*$/, ''));
    }
    if (values.help) {
      out(command.usage);
      return 0;
    }
    for (const name of command.required) need(values, name);
    const output = (values.markdown ? 'markdown' : values.output as string | undefined) ?? 'text';
    if (!command.outputs.includes(output)) {
      throw new UsageError(`-o "${output}" is not one of ${command.outputs.join(', ')}`);
    }
    const code = command.run(values, output, out);
    return typeof code === 'number' ? code : code.catch(fail);
  } catch (e) {
    return fail(e);
  }
}

if (require.main === module) {
  void mainAsync(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
