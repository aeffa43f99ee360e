import { Values, loadModel, need, optional, UsageError } from './cli-support';
import { readFlowFile } from '../review/rollout/flow-file';
import { FlowRecord } from '../review/rollout/flow-record';
import { listGoldmaneFlows } from '../review/rollout/goldmane-client';
import { readObservedAddresses } from '../review/rollout/observed-addresses';
import { buildRolloutReport } from '../review/rollout/rollout-report';
import { rolloutReportMarkdown, rolloutReportText } from '../review/rollout/rollout-report-text';

export const ROLLOUT_REPORT_USAGE = `Usage: cdk8s-egress rollout-report --app <dir | egress-model.json> --flows <file | https://<goldmane>:<port>> [--addresses <file>] [--zone <name>] [-o text|json|markdown]

Lists every flow a staged zone's policy would deny, from Calico's flow logs (what Felix reports to Goldmane,
with the staged policies' verdicts), grouped by zone and destination, and proposes the zone.allow(...) line
that would allow each group. In-cluster destinations and the API server are not rules: the report says which
zone setting decides them.

Options:
  --app <path>        the app's output directory, or its egress-model.json
  --flows <source>    a file of Goldmane flows (the emitter's JSON lines, or grpcurl's goldmane.Flows/List output),
                      or Goldmane's gRPC API: https://<host>:<port> (TLS) or http://<host>:<port>
  --ca <file>         with https: the CA of Goldmane's serving certificate (PEM)
  --cert <file>       with https: a client certificate Goldmane trusts, and its --key (PEM)
  --key <file>
  --server-name <n>   with https: the name in Goldmane's certificate, when the URL's host differs
                      (e.g. goldmane.calico-system.svc through kubectl port-forward)
  --since <age>       with the API: only flows that started within this age (30m, 24h, 7d or seconds);
                      default: Goldmane's whole history
  --addresses <file>  what the node agents' address observer recorded (kubectl exec <agent> -- node
                      /app/agent/main.js observed-addresses, one document per node, concatenated): the
                      addresses behind Goldmane's "pub"/"pvt", proposed as exact /32s
  --zone <name>       only this zone
  -o, --output        text (default), json, or markdown (for a pull request comment)
  --markdown          the same as -o markdown
  -h, --help          show this help

Exit status: 0 nothing would be denied, 1 flows would be denied, 2 usage or input error.`;

/** "30m", "24h", "7d", "90s" or a number of seconds, as seconds. */
export function parseAge(text: string): number {
  const m = /^([0-9]+)([smhd]?)$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--since "${text}" is not an age such as 30m, 24h, 7d or a number of seconds`);
  return Number(m[1]) * { '': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400 }[m[2]]!;
}

/** The report from a file (at once) or from Goldmane's API (a promise). */
export function rolloutReport(values: Values, output: string, out: (line: string) => void): number | Promise<number> {
  const doc = loadModel(need(values, 'app'));
  const source = need(values, 'flows');
  const api = /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
  const since = optional(values, 'since');
  for (const flag of ['ca', 'cert', 'key', 'server-name', 'since']) {
    if (!api && optional(values, flag) !== undefined) throw new UsageError(`--${flag} applies to Goldmane's API (--flows https://...), not to a file`);
  }
  if ((optional(values, 'cert') === undefined) !== (optional(values, 'key') === undefined)) throw new UsageError('--cert and --key go together');
  const zone = optional(values, 'zone');
  const addresses = optional(values, 'addresses');
  const observed = addresses === undefined ? undefined : readObservedAddresses(addresses);
  // Checked before any flow is read: a wrong zone name fails fast, also against a live Goldmane.
  buildRolloutReport(doc, [], { zone });
  const print = (records: FlowRecord[]): number => {
    const report = buildRolloutReport(doc, records, { zone, observed });
    if (output === 'json') out(JSON.stringify(report, undefined, 2));
    else if (output === 'markdown') out(rolloutReportMarkdown(report));
    else rolloutReportText(report).forEach(l => out(l));
    return report.groups.length === 0 ? 0 : 1;
  };
  if (!api) return print(readFlowFile(source));
  return listGoldmaneFlows({
    url: source,
    caFile: optional(values, 'ca'),
    certFile: optional(values, 'cert'),
    keyFile: optional(values, 'key'),
    serverName: optional(values, 'server-name'),
    sinceSeconds: since === undefined ? undefined : parseAge(since),
  }).then(print);
}
