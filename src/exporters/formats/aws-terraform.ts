import { AwsExporter, awsDenyGroup, awsResources, ruleGroupFields } from './aws-resources';
import { FirewallExportInput } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { jsonText } from '../platform-text';

/**
 * AWS as Terraform JSON (`aws-egress.tf.json`): per zone an `aws_security_group` (its `egress` list
 * replaces Terraform's removal of the default allow-all), an `aws_network_acl` with `aws_network_acl_rule`s
 * and an `aws_networkfirewall_rule_group`. The VPC is a variable. Terraform manages only the resources
 * its configuration declares, so the file owns these and nothing else; its own directory keeps its state apart.
 */
export class AwsTerraformExporter extends AwsExporter {
  constructor() {
    super('aws-terraform');
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const sgs: { [name: string]: unknown } = {};
    const acls: { [name: string]: unknown } = {};
    const aclRules: { [name: string]: unknown } = {};
    const groups: { [name: string]: unknown } = {};
    const domainOnly: string[] = [];
    for (const z of awsResources(input)) {
      const tags = { 'Name': z.name, 'cdk8s-egress/zone': z.zone.name };
      sgs[z.tfName] = {
        name: z.name,
        description: z.description,
        vpc_id: '${var.vpc_id}',
        // In JSON the block list is an attribute value, so every attribute of a rule must be present.
        egress: z.sgRules.map(r => ({
          description: r.description,
          protocol: r.protocol,
          from_port: r.fromPort ?? 0,
          to_port: r.toPort ?? 0,
          cidr_blocks: r.ipVersion === 4 ? [r.cidr] : [],
          ipv6_cidr_blocks: r.ipVersion === 6 ? [r.cidr] : [],
          prefix_list_ids: [],
          security_groups: [],
          self: false,
        })),
        tags,
      };
      acls[z.tfName] = { vpc_id: '${var.vpc_id}', tags };
      for (const e of z.naclEntries) {
        aclRules[`${z.tfName}_${e.egress ? 'egress' : 'ingress'}_${e.ruleNumber}`] = {
          network_acl_id: `\${aws_network_acl.${z.tfName}.id}`,
          rule_number: e.ruleNumber,
          egress: e.egress,
          protocol: String(e.protocol),
          rule_action: e.action,
          ...(e.ipVersion === 4 ? { cidr_block: e.cidr } : { ipv6_cidr_block: e.cidr }),
          ...(e.portRange ? { from_port: e.portRange.from, to_port: e.portRange.to } : {}),
          ...(e.icmp ? { icmp_type: e.icmp.type, icmp_code: e.icmp.code } : {}),
        };
      }
      if (z.ruleGroup.rulesString) {
        groups[z.tfName] = ruleGroupFields(z.ruleGroup, 'terraform', tags);
      }
      domainOnly.push(...z.domainOnlyRules);
    }
    const deny = awsDenyGroup(input);
    if (deny) {
      groups.default_deny = {
        name: deny.name,
        type: 'STATEFUL',
        capacity: deny.capacity,
        description: deny.description,
        rule_group: { rules_source: { rules_string: deny.rulesString }, stateful_rule_options: { rule_order: 'STRICT_ORDER' } },
      };
    }
    const resource: { [type: string]: unknown } = {};
    if (Object.keys(sgs).length) resource.aws_security_group = sgs;
    if (Object.keys(acls).length) resource.aws_network_acl = acls;
    if (Object.keys(aclRules).length) resource.aws_network_acl_rule = aclRules;
    if (Object.keys(groups).length) resource.aws_networkfirewall_rule_group = groups;
    const doc = {
      '//': `cdk8s-egress perimeter export (zones: ${input.zones.map(z => z.name).join(', ') || 'none'}). Owns only the resources declared here. Load with: terraform init && terraform apply -var vpc_id=<vpc-id>, in a directory of its own (or as a module): Terraform changes only what its configuration declares, and a later export's apply destroys only resources of this file that it no longer has. Remove with: terraform destroy in that directory. Security groups and ACLs have no source match: attach them where the zone sources are. Reference the zone rule groups first and cdk8s-egress-default-deny last in the strict-order firewall policy.${domainOnly.length ? ` Domain rules only in Network Firewall: ${domainOnly.join('; ')}.` : ''}`,
      'variable': { vpc_id: { type: 'string', description: 'VPC of the security groups and network ACLs' } },
      resource,
    };
    return [{ path: 'aws-egress.tf.json', content: jsonText(doc) }];
  }
}
