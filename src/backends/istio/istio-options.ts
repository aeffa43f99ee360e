/** How Istio runs in the cluster. */
export enum IstioMode {
  /** Ambient mode: ztunnel on every node, an egress waypoint for external services. */
  AMBIENT = 'ambient',
  /** Sidecar mode: an Envoy in every pod, an egress gateway for external services. */
  SIDECAR = 'sidecar',
}

/** Where Istio's egress point is. */
export interface IstioOptions {
  /**
   * How Istio runs.
   * @default IstioMode.AMBIENT
   */
  readonly mode?: IstioMode;
  /**
   * Namespace of the egress point: the waypoint and the ServiceEntries bound to it (ambient), or the egress gateway
   * (sidecar).
   * @default "istio-egress" (ambient), "istio-system" (sidecar)
   */
  readonly namespace?: string;
  /**
   * Name of the egress point: the waypoint's Gateway (ambient, emitted), or the egress gateway's Service (sidecar,
   * installed with Istio).
   * @default "egress-waypoint" (ambient), "istio-egressgateway" (sidecar)
   */
  readonly egressPointName?: string;
  /**
   * Sidecar mode: the egress gateway's pod labels (its Gateway's selector).
   * @default { istio: "egressgateway" } (Istio's own install)
   */
  readonly gatewayLabels?: { [key: string]: string };
}
