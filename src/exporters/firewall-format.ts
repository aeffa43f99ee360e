import { IFirewallExporter } from './firewall-exporter';
import { AerleonExporter } from './formats/aerleon';
import { AwsCloudFormationExporter } from './formats/aws-cloudformation';
import { AwsTerraformExporter } from './formats/aws-terraform';
import { AzureNsgExporter } from './formats/azure-nsg';
import { CiscoAsaExporter } from './formats/cisco-asa';
import { FortigateExporter } from './formats/fortigate';
import { GcpFirewallExporter } from './formats/gcp-firewall';
import { CsvInventoryExporter, JsonInventoryExporter } from './formats/inventory';
import { IptablesExporter } from './formats/iptables';
import { JuniperSrxExporter } from './formats/juniper-srx';
import { NftablesExporter } from './formats/nftables';
import { PanosExporter } from './formats/panos';
import { problem } from '../model/errors';

/**
 * A firewall export format: the registry of built-in exporters, and the way to plug in your own.
 *
 * `FirewallFormat.NFTABLES`, `FirewallFormat.all()`, `FirewallFormat.of('panos')`,
 * `FirewallFormat.custom(myExporter)`.
 */
export class FirewallFormat {
  // One documented public static per built-in format, alike on purpose: they are the registry users name
  // (FirewallFormat.NFTABLES in every jsii language); each is one line of data.
  /** nftables ruleset (`egress.nft`): one inet table, interval sets, counters. */
  public static readonly NFTABLES = new FirewallFormat(new NftablesExporter());
  /** iptables-restore / ip6tables-restore files (`egress.rules.v4`, `egress.rules.v6`), without ipset. */
  public static readonly IPTABLES = new FirewallFormat(new IptablesExporter());
  /** AWS CloudFormation template: security groups, network ACLs, Network Firewall rule groups. */
  public static readonly AWS_CLOUDFORMATION = new FirewallFormat(new AwsCloudFormationExporter());
  /** AWS as Terraform JSON: the same resources as the CloudFormation template. */
  public static readonly AWS_TERRAFORM = new FirewallFormat(new AwsTerraformExporter());
  /** GCP VPC firewall rules (JSON list of compute#firewall). */
  public static readonly GCP = new FirewallFormat(new GcpFirewallExporter());
  /** Azure network security group (ARM template). */
  public static readonly AZURE = new FirewallFormat(new AzureNsgExporter());
  /** Palo Alto PAN-OS set commands. */
  public static readonly PANOS = new FirewallFormat(new PanosExporter());
  /** Cisco ASA configuration (objects, object-groups, extended ACL). */
  public static readonly CISCO_ASA = new FirewallFormat(new CiscoAsaExporter());
  /** Juniper SRX set commands. */
  public static readonly JUNIPER_SRX = new FirewallFormat(new JuniperSrxExporter());
  /** FortiGate CLI. */
  public static readonly FORTIGATE = new FirewallFormat(new FortigateExporter());
  /** Neutral CSV inventory for review and audit. */
  public static readonly CSV = new FirewallFormat(new CsvInventoryExporter());
  /** Neutral JSON inventory: the flattened rule list every exporter renders. */
  public static readonly JSON = new FirewallFormat(new JsonInventoryExporter());
  /** Aerleon YAML policy with its network and service definitions: `aclgen` generates every platform it targets. */
  public static readonly AERLEON = new FirewallFormat(new AerleonExporter());

  /** Every built-in format, in a stable order. */
  public static all(): FirewallFormat[] {
    return [
      FirewallFormat.NFTABLES, FirewallFormat.IPTABLES, FirewallFormat.AWS_CLOUDFORMATION, FirewallFormat.AWS_TERRAFORM,
      FirewallFormat.GCP, FirewallFormat.AZURE, FirewallFormat.PANOS, FirewallFormat.CISCO_ASA, FirewallFormat.JUNIPER_SRX,
      FirewallFormat.FORTIGATE, FirewallFormat.CSV, FirewallFormat.JSON, FirewallFormat.AERLEON,
    ];
  }

  /** A built-in format by its id ("nftables", "iptables", "aws-cloudformation", …). */
  public static of(format: string): FirewallFormat {
    const found = FirewallFormat.all().find(f => f.name === format);
    if (!found) {
      throw new Error(problem(`firewall format "${format}" is not built in`, undefined, `one of ${FirewallFormat.all().map(f => f.name).join(', ')}, or FirewallFormat.custom(exporter)`));
    }
    return found;
  }

  /** A format rendered by your own exporter. */
  public static custom(exporter: IFirewallExporter): FirewallFormat {
    return new FirewallFormat(exporter);
  }

  /** The exporter that renders this format. */
  public readonly exporter: IFirewallExporter;

  private constructor(exporter: IFirewallExporter) {
    this.exporter = exporter;
  }

  /** The format id (also the exporter's). */
  public get name(): string {
    return this.exporter.format;
  }
}
