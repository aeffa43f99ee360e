import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressZone } from './egress-zone';
import { exportFirewall, FirewallExportResult } from '../exporters/export-firewall';
import { DomainHandling, FirewallExportFile } from '../exporters/firewall-exporter';
import { FirewallFormat } from '../exporters/firewall-format';
import { EgressModelDocument } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { EgressSynthesizer } from '../synth/egress-synthesizer';
import type { ModelBuilder } from '../synth/model-builder';
import { declare } from './private/declare';
import { constructId } from '../model/construct-id';

/** Options of a firewall export, with or without a construct. */
export interface FirewallExportOptions {
  /**
   * Names of the zones to export.
   * @default - every zone of the model
   */
  readonly zoneNames?: string[];
  /**
   * What to do with domain names on formats that cannot match names.
   * @default DomainHandling.ERROR
   */
  readonly domainHandling?: DomainHandling;
}

/** Properties of {@link FirewallExport}. */
export interface FirewallExportProps {
  /** Formats to write. */
  readonly formats: FirewallFormat[];
  /**
   * Zones to export.
   * @default - every zone of the app
   */
  readonly zones?: EgressZone[];
  /**
   * Folder the files are written to.
   * @default - "firewall" inside the app's output folder
   */
  readonly outdir?: string;
  /**
   * What to do with domain names on formats that cannot match names.
   * @default DomainHandling.ERROR
   */
  readonly domainHandling?: DomainHandling;
}

/**
 * Writes, at synth time, each zone's egress posture for perimeter firewalls (nftables, iptables, AWS, GCP,
 * Azure, PAN-OS, ASA, SRX, FortiGate, CSV/JSON) next to the manifests, from the same egress model as the
 * cluster policies. Problems of every format are reported in one error before anything is written.
 *
 * Without synth: `FirewallExport.render(EgressModel.of(app), FirewallFormat.NFTABLES)`.
 */
export class FirewallExport extends Construct {
  /** Renders one format from a model document; the files are returned, not written. */
  public static render(model: EgressModelDocument, format: FirewallFormat, options: FirewallExportOptions = {}): FirewallExportFile[] {
    return exportFirewall(model, [format], options.zoneNames, options.domainHandling ?? DomainHandling.ERROR).files;
  }

  /** Renders several formats and returns the files with the warnings (rules or domains left out). */
  public static renderAll(model: EgressModelDocument, formats: FirewallFormat[], options: FirewallExportOptions = {}): FirewallExportResult {
    return exportFirewall(model, formats, options.zoneNames, options.domainHandling ?? DomainHandling.ERROR);
  }

  /** Warnings of the last synth (rules or domains left out of some format). */
  public get warnings(): string[] {
    return EgressSynthesizer.of(this).reporter.warningsAt(this.node.path);
  }

  private readonly props: FirewallExportProps;

  /**
   * @param scope the construct this FirewallExport belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see FirewallExportProps)
   */
  constructor(scope: Construct, id: string, props: FirewallExportProps) {
    super(scope, constructId(scope, id, 'FirewallExport'));
    // The synth pipeline renders and writes the files (its firewall-files step), once per app.
    this.props = declare(this, at => {
      if (props.formats.length === 0) throw new Error(problem('FirewallExport formats "[]" is empty', at, 'FirewallFormat.all()'));
      return props;
    });
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    builder.requests.addFirewallFiles({
      path: this.node.path,
      outdir: this.props.outdir ?? path.join(App.of(this).outdir, 'firewall'),
      formats: this.props.formats,
      zoneNames: this.props.zones?.map(z => z.zoneName),
      domainHandling: this.props.domainHandling,
    });
  }
}
