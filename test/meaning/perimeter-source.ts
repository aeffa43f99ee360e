/**
 * Where a zone's traffic comes from as a perimeter firewall sees it, for the estates of estate-spec.ts: shared by
 * the checks that probe firewall exports (nftables in agreement.property.test.ts, Aerleon's aclcheck in test/aerleon).
 */
import { EstateSpec, NODE_V4, NODE_V6, ruleAllows, ZoneSpec } from './estate-spec';
import { ipVersionOf } from './evaluators/packet';
import { EgressModelDocument } from '../../src';

/** A packet at the perimeter. */
export interface PerimeterPacket {
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  readonly port?: number;
  readonly icmpType?: number;
}

/** The source a perimeter sees for a zone's traffic of one family leaving by `exit`. */
export function perimeterSource(spec: EstateSpec, zone: ZoneSpec, exit: 'gateway' | 'direct', family: 4 | 6, doc: EgressModelDocument): string {
  if (exit === 'gateway') return doc.gateways[0].egressIps[0];
  const i = spec.zones.indexOf(zone);
  if (zone.pool && !zone.pool.nat && family === 4) return `10.244.${10 + i}.5`;
  return family === 4 ? NODE_V4 : NODE_V6;
}

/** The documented coarser answer: a perimeter allows, from a source several zones share, the union of their rules. */
export function someZoneSendsFromAndAllows(spec: EstateSpec, doc: EgressModelDocument, p: PerimeterPacket): boolean {
  const family = ipVersionOf(p.dst);
  for (const zone of spec.zones) {
    for (const r of zone.rules) {
      const exit = zone.gateway && !r.bypass ? 'gateway' : 'direct';
      if (perimeterSource(spec, zone, exit, family, doc) !== p.src) continue;
      if (ruleAllows(spec, r, { namespace: '', labels: {}, ip: p.dst, protocol: p.protocol, port: p.port, icmpType: p.icmpType })) return true;
    }
  }
  return false;
}
