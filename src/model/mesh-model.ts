/** The service-mesh layer of a zone: which mesh enforces its rules' layer-7 part, and where its external traffic leaves. */
export interface MeshModel {
  /** The mesh backend's name ("istio"). */
  readonly backend: string;
  /** How the mesh runs ("ambient" or "sidecar" for Istio). */
  readonly mode: string;
  /** Namespace of the mesh's egress point (the waypoint, or the egress gateway). */
  readonly namespace: string;
  /** Name of the egress point (the waypoint's Gateway, or the egress gateway's Service). */
  readonly egressPoint: string;
  /**
   * The egress point's pods (canonical Calico selector over pod labels, in `namespace`): the network backend allows
   * the zone's external destinations from these pods only, never from the zone's own.
   */
  readonly egressPointSelector: string;
}
