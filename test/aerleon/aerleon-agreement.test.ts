/**
 * Aerleon's aclcheck against can-reach, on the differential test's random estates and queries
 * (test/meaning/agreement.property.test.ts): each estate's Aerleon export is parsed by Aerleon (the export's own
 * Cisco policy, one filter of both families), and aclcheck says which term decides each packet the perimeter sees
 * for a query: from the zone's source for its exit (the gateway's egress IP, the pool's range without NAT, the
 * node's address under NAT outgoing). Where can-reach allows, aclcheck must accept; where it does not, aclcheck
 * must deny, except for the documented coarser answer (a source several zones share allows the union of their
 * rules) and rules the export warned it dropped. ICMP is not asked: aclcheck takes no ICMP type, so it would match
 * a type-limited term for every type. AERLEON_ESTATES (default 15) and AERLEON_SEED make runs larger or reproducible.
 */
import * as fs from 'fs';
import * as fc from 'fast-check';
import { aerleonOrSkip, runDriver, writeExport } from './aerleon';
import { CanReach, FirewallFormat } from '../../src';
import { boundaryAddresses, buildEstate, CLUSTER, estateArb, expected, NAMESPACES, POD_LABELS, Query, ruleCidrs } from '../meaning/estate-spec';
import { ipVersionOf } from '../meaning/evaluators/packet';
import { PerimeterPacket, perimeterSource, someZoneSendsFromAndAllows } from '../meaning/perimeter-source';
import { captureWarnings, chartFor, firewallFiles, modelOf } from '../meaning/support';

const ESTATES = Number(process.env.AERLEON_ESTATES ?? 15);
const SEED = Number(process.env.AERLEON_SEED ?? 14);
const PROTOCOL: Record<number, string> = { 6: 'tcp', 17: 'udp', 47: 'gre' };
// The differential test's TCP/UDP/other-protocol probes (its ICMP probes aclcheck cannot ask).
const PROBES: { protocol: number; port?: number }[] = [
  ...[443, 442, 444, 8000, 8080, 8081, 1, 65535].map(port => ({ protocol: 6, port })),
  ...[53, 443].map(port => ({ protocol: 17, port })),
  { protocol: 47 },
];

interface Check { readonly src: string; readonly dst: string; readonly proto: string; readonly dport: number | null }
interface Answer { readonly action: string | null; readonly term: string | null; readonly possible: string[] }

const venv = aerleonOrSkip('Aerleon aclcheck agreement');
const maybe = venv ? describe : describe.skip;

maybe('Aerleon aclcheck agrees with can-reach on the differential test\'s estates', () => {
  test(`${ESTATES} random estates`, () => {
    const specs = fc.sample(estateArb('calico'), { numRuns: ESTATES, seed: SEED });
    const disagreements: string[] = [];
    const counts = { estates: 0, rejected: 0, queries: 0, packets: 0, allowed: 0, denied: 0, sharedSource: 0, warnedDropped: 0 };
    specs.forEach((spec, e) => {
      const { chart } = chartFor('calico', CLUSTER);
      const built = captureWarnings(() => {
        buildEstate(chart, spec);
        return firewallFiles(chart, [FirewallFormat.AERLEON, FirewallFormat.JSON]);
      });
      if (built.error) {
        if (built.error instanceof TypeError || /internal/.test(built.error.message)) disagreements.push(`estate ${e}: ${built.error.stack}`);
        counts.rejected++;
        return;
      }
      counts.estates++;
      const doc = modelOf(chart);
      const exported = built.result!;
      const dropped = (zone: string) => [...built.warnings, ...exported.warnings].some(w => w.includes(`zone "${zone}"`) && /dropped from the export/.test(w));
      const packets: { check: Check; packet: PerimeterPacket; want: boolean; shared: boolean; zone: string; q: Query }[] = [];
      const ask = (q: Query, p: PerimeterPacket, want: boolean, zone: string, shared = false) => packets.push({
        check: { src: p.src, dst: p.dst, proto: PROTOCOL[p.protocol], dport: p.port ?? null }, packet: p, want, shared, zone, q,
      });
      for (const namespace of NAMESPACES) {
        for (const labels of POD_LABELS) {
          for (const ip of boundaryAddresses(spec)) {
            for (const probe of PROBES) {
              const q: Query = { namespace, labels, ip, ...probe };
              const declared = expected(spec, q);
              if (!declared.zone || !declared.external) continue;
              counts.queries++;
              const zone = declared.zone;
              const answer = CanReach.evaluate(doc, { namespace, podLabels: labels, ip, protocol: probe.protocol, port: probe.port });
              const family = ipVersionOf(ip);
              const allowing = answer.allowed ? zone.rules.find(r => r.name === answer.rule) : undefined;
              const allowedFrom = allowing ? perimeterSource(spec, zone, zone.gateway && !allowing.bypass ? 'gateway' : 'direct', family, doc) : undefined;
              if (allowedFrom) ask(q, { src: allowedFrom, dst: ip, ...probe }, true, zone.name);
              // every other source of the zone must be denied unless a zone that sends from it allows this
              for (const exit of ['gateway', 'direct'] as const) {
                if (exit === 'gateway' && !zone.gateway) continue;
                if (exit === 'direct' && zone.gateway && !zone.rules.some(r => r.bypass && ruleCidrs(spec, r).some(c => ipVersionOf(c.split('/')[0]) === family))) continue;
                const p = { src: perimeterSource(spec, zone, exit, family, doc), dst: ip, ...probe };
                if (p.src === allowedFrom) continue;
                const shared = someZoneSendsFromAndAllows(spec, doc, p);
                ask(q, p, shared, zone.name, shared);
              }
            }
          }
        }
      }
      const unique = [...new Map(packets.map(p => [JSON.stringify(p.check), p])).values()];
      const dir = writeExport(exported.files);
      const answers = runDriver<Answer[]>(venv!, 'aclcheck.py', {
        policies: `${dir}/aerleon/policies`, definitions: `${dir}/aerleon/def`, policy: 'pol/cdk8s-egress-cisco.yaml', queries: unique.map(p => p.check),
      });
      fs.rmSync(dir, { recursive: true, force: true });
      unique.forEach((p, i) => {
        counts.packets++;
        const a = answers[i];
        const accepted = a.action === 'accept';
        if (a.possible.length > 0) disagreements.push(`estate ${e}: ${JSON.stringify(p.check)} only possibly matches ${a.possible.join(', ')}`);
        if (accepted === p.want) {
          counts[p.want ? 'allowed' : 'denied']++;
          if (p.shared) counts.sharedSource++;
          return;
        }
        if (p.want && dropped(p.zone)) {
          counts.warnedDropped++;
          return;
        }
        if (disagreements.length < 10) disagreements.push(`estate ${e}: ${JSON.stringify(p.q)} as ${JSON.stringify(p.check)}: aclcheck ${a.action ?? 'no term'} (${a.term}), can-reach ${p.want ? 'allows' : 'denies'}\n  estate: ${JSON.stringify(spec)}`);
      });
    });
    // eslint-disable-next-line no-console
    console.log(`aclcheck agreement: ${JSON.stringify(counts)}; disagreements: ${disagreements.length}`);
    expect(counts.estates).toBeGreaterThan(ESTATES / 2);
    expect(counts.allowed).toBeGreaterThan(0);
    expect(counts.denied).toBeGreaterThan(0);
    expect(disagreements).toEqual([]);
  });
});
