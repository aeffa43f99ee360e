#!/usr/bin/env node
/**
 * cdk8s-egress command line: questions answered from a synthesized app's egress model, without a cluster.
 *
 *   cdk8s-egress can-reach --app dist --from payments/app=api --to 203.0.113.10:443/tcp
 *   cdk8s-egress diff --before old/dist --after dist [--markdown]
 *
 * Exit codes: can-reach 0 allowed, 1 denied; diff 0 no change, 1 changes; 2 usage or input error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EgressModelDocument } from '../model/egress-model-document';
import { ZoneSources } from '../model/zone-source';
import { CanReach } from '../review/can-reach';
import { PostureDiff } from '../review/posture-diff';

const USAGE = `usage:
  cdk8s-egress can-reach --app <dist dir | egress-model.json> --from <namespace>[/<k>=<v>,<k>=<v>] --to <ip>:<port>/<proto>
  cdk8s-egress diff --before <dir | json> --after <dir | json> [--markdown]`;

export function loadModel(location: string): EgressModelDocument {
  const file = fs.existsSync(location) && fs.statSync(location).isDirectory() ? path.join(location, 'egress-model.json') : location;
  if (!fs.existsSync(file)) throw new Error(`no egress model at ${file}: synthesize the app with an EgressReview construct first`);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (doc.version !== 1) throw new Error(`${file} is egress model version ${doc.version}; this CLI reads version 1`);
  return doc;
}

function flags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const [k, v] = a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.slice(2), args[i + 1]?.startsWith('--') ? 'true' : args[++i] ?? 'true'];
    out.set(k, v);
  }
  return out;
}

function need(f: Map<string, string>, name: string): string {
  const v = f.get(name);
  if (v === undefined || v === 'true') throw new Error(`--${name} is required`);
  return v;
}

/** Runs the CLI; returns the exit code (so tests call it in-process). */
export function main(argv: string[], out: (line: string) => void = console.log): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'can-reach') {
      const f = flags(rest);
      const doc = loadModel(need(f, 'app'));
      const from = need(f, 'from');
      const [namespace, labelText] = from.split('/', 2);
      const podLabels: { [k: string]: string } = {};
      for (const kv of (labelText ?? '').split(',').filter(Boolean)) {
        const i = kv.indexOf('=');
        if (i < 1) throw new Error(`--from label "${kv}" is not key=value`);
        podLabels[kv.slice(0, i)] = kv.slice(i + 1);
      }
      const dest = CanReach.parseDestination(need(f, 'to'));
      const answer = CanReach.evaluate(doc, { namespace, podLabels, ...dest });
      const zone = answer.zone ? doc.zones.find(z => z.name === answer.zone) : undefined;
      out(`${answer.allowed ? 'ALLOWED' : 'DENIED'}: ${answer.reason}`);
      out(`  decided by: ${answer.zone ? `zone ${answer.zone}, ` : ''}rule ${answer.rule}`);
      const to = dest.ip ?? dest.domain!;
      if (answer.allowed && zone) out(`  source seen by ${to}: ${ZoneSources.forDestination(doc, zone, to, zone.rules.find(r => r.name === answer.rule)).description}`);
      return answer.allowed ? 0 : 1;
    }
    if (command === 'diff') {
      const f = flags(rest);
      const changes = PostureDiff.compare(loadModel(need(f, 'before')), loadModel(need(f, 'after')));
      if (f.has('markdown')) out(PostureDiff.toMarkdown(changes));
      else if (changes.length === 0) out('no change in egress posture');
      else for (const c of changes) out(`${c.zone}\t${c.change}\t${c.destination}\t${c.port}`);
      return changes.length === 0 ? 0 : 1;
    }
    out(USAGE);
    return 2;
  } catch (e) {
    out(`error: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
