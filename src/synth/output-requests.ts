import { GatewayDataPathSettings } from '../datapath/compile-data-path';
import { DomainHandling } from '../exporters/firewall-exporter';
import { FirewallFormat } from '../exporters/firewall-format';

/** A cdk8s-egress gateway as the gateway-policy and data-path emitters need it, beyond its model entry. */
export interface DataPathGatewayRequest {
  readonly settings: GatewayDataPathSettings;
  readonly namespace: string;
  /** Extra IPv4 tunnel sources besides the cluster's node ranges. */
  readonly tunnelSources: string[];
  /** Namespaces whose pods may scrape the metrics port. */
  readonly scraperNamespaces: string[];
}

/** Where the data-path document goes: a ConfigMap the gateway declared (one per namespace). */
export interface DataPathConfigTarget {
  addData(key: string, value: string): void;
}

/** One FirewallExport construct's request. */
export interface FirewallFilesRequest {
  readonly path: string;
  readonly outdir: string;
  readonly formats: FirewallFormat[];
  readonly zoneNames?: string[];
  readonly domainHandling?: DomainHandling;
}

/** One EgressReview construct's request. */
export interface ReviewFilesRequest {
  readonly path: string;
  readonly outdir: string;
}

/**
 * The outputs an app's constructs ask for, besides what the model itself says: collected with the model
 * (constructs declare them in `_contribute`) and kept out of the model document, which stays backend- and
 * output-neutral (it is written as egress-model.json).
 */
export class OutputRequests {
  public readonly dataPathGateways: DataPathGatewayRequest[] = [];
  public readonly dataPathTargets: { key: string; target: DataPathConfigTarget }[] = [];
  public readonly firewallFiles: FirewallFilesRequest[] = [];
  public readonly reviewFiles: ReviewFilesRequest[] = [];
  /** The node agents record the staged zones' external destinations (a StagedZoneObserver asked). */
  public observeStaged = false;

  /** A data-path gateway and the ConfigMap its pods mount (a target shared by gateways is filled once). */
  public addDataPathGateway(gateway: DataPathGatewayRequest, key: string, target: DataPathConfigTarget): void {
    this.dataPathGateways.push(gateway);
    if (!this.dataPathTargets.some(t => t.target === target)) this.dataPathTargets.push({ key, target });
  }

  /** The data path's `observe` section, and the ConfigMap the node agent mounts (filled once, as a gateway's). */
  public observeStagedZones(key: string, target: DataPathConfigTarget): void {
    this.observeStaged = true;
    if (!this.dataPathTargets.some(t => t.target === target)) this.dataPathTargets.push({ key, target });
  }

  public addFirewallFiles(request: FirewallFilesRequest): void {
    this.firewallFiles.push(request);
  }

  public addReviewFiles(request: ReviewFilesRequest): void {
    this.reviewFiles.push(request);
  }
}
