import { Destination } from './destination';
import { IEgressGateway } from './egress-gateway-ref';
import { HttpMatch } from '../model/http-match';
import { Port } from '../model/port';

/** What an AllowExternal rule allows. */
export interface AllowExternalOptions {
  /** Destinations: addresses, domain names and/or shared destination sets. */
  readonly to: Destination[];
  /**
   * Ports and protocols.
   * @default - all traffic to those destinations
   */
  readonly ports?: Port[];
  /**
   * What the rule is for (shown in policies, firewall exports and egress maps).
   * @default - no description
   */
  readonly description?: string;
  /**
   * Name of the rule (DNS label); also names the destination set made from inline addresses.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * Gateway for these destinations, overriding the zone's (longest-prefix match picks the rule).
   * @default - the zone's gateway, if any
   */
  readonly via?: IEgressGateway;
  /**
   * These destinations never go through a gateway, even when the zone has one.
   * @default false
   */
  readonly bypassGateway?: boolean;
  /**
   * The rule's layer-7 part: HTTP methods, paths and hosts, or TLS server names. Enforced by the zone's mesh
   * (`mesh: Backend.istio()`) at its egress point; the network backend enforces the addresses and ports. Needs
   * TCP ports.
   * @default - layer 4 only (addresses and ports)
   */
  readonly http?: HttpMatch;
}

/** A rule that allows zones to reach external destinations. */
export interface IEgressRule {
  /** Name of the rule (unique within each of its zones). */
  readonly ruleName: string;
}
