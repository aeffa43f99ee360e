import { AwsExporter, awsDenyGroup, awsResources, NaclEntry, ruleGroupFields } from './aws-resources';
import { FirewallExportInput } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { jsonText } from '../platform-text';

/**
 * AWS as a CloudFormation template: per zone an `AWS::EC2::SecurityGroup` (egress rules; listing them
 * removes the default allow-all egress), an `AWS::EC2::NetworkAcl` with `AWS::EC2::NetworkAclEntry`s
 * (egress allows, explicit deny, inbound return traffic) and an `AWS::NetworkFirewall::RuleGroup`.
 * The template is deployed as a stack of its own: a stack owns exactly its template's resources.
 */
export class AwsCloudFormationExporter extends AwsExporter {
  constructor() {
    super('aws-cloudformation');
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const resources: { [id: string]: unknown } = {};
    const domainOnly: string[] = [];
    for (const z of awsResources(input)) {
      const tags = [{ Key: 'Name', Value: z.name }, { Key: 'cdk8s-egress/zone', Value: z.zone.name }];
      const egress = z.sgRules.map(r => ({
        IpProtocol: r.protocol,
        ...(r.ipVersion === 4 ? { CidrIp: r.cidr } : { CidrIpv6: r.cidr }),
        ...(r.fromPort !== undefined ? { FromPort: r.fromPort, ToPort: r.toPort } : {}),
        Description: r.description,
      }));
      resources[`${z.logicalName}EgressSecurityGroup`] = {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: z.description,
          VpcId: { Ref: 'VpcId' },
          // CloudFormation adds allow-all egress when the list is empty; this rule (as aws-cdk does) matches nothing.
          SecurityGroupEgress: egress.length > 0 ? egress : [{ IpProtocol: 'icmp', CidrIp: '255.255.255.255/32', FromPort: 252, ToPort: 86, Description: 'Disallow all traffic' }],
          Tags: tags,
        },
      };
      const acl = `${z.logicalName}EgressNetworkAcl`;
      resources[acl] = { Type: 'AWS::EC2::NetworkAcl', Properties: { VpcId: { Ref: 'VpcId' }, Tags: tags } };
      for (const e of z.naclEntries) {
        resources[`${acl}${e.egress ? 'Egress' : 'Ingress'}${e.ruleNumber}`] = { Type: 'AWS::EC2::NetworkAclEntry', Properties: { NetworkAclId: { Ref: acl }, ...naclProperties(e) } };
      }
      if (z.ruleGroup.rulesString) {
        resources[`${z.logicalName}EgressRuleGroup`] = {
          Type: 'AWS::NetworkFirewall::RuleGroup',
          Properties: ruleGroupFields(z.ruleGroup, 'cloudformation', tags),
        };
      }
      domainOnly.push(...z.domainOnlyRules);
    }
    const deny = awsDenyGroup(input);
    if (deny) {
      resources.DefaultDenyRuleGroup = {
        Type: 'AWS::NetworkFirewall::RuleGroup',
        Properties: {
          RuleGroupName: deny.name,
          Type: 'STATEFUL',
          Capacity: deny.capacity,
          Description: deny.description,
          RuleGroup: { RulesSource: { RulesString: deny.rulesString }, StatefulRuleOptions: { RuleOrder: 'STRICT_ORDER' } },
        },
      };
    }
    const template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: 'cdk8s-egress perimeter export: security groups, network ACLs and Network Firewall rule groups per egress zone',
      Metadata: {
        'cdk8s-egress': {
          zones: input.zones.map(z => z.name),
          ownership: 'Owns only the resources of this template. Load with: aws cloudformation deploy --stack-name cdk8s-egress --template-file aws-cloudformation.json --parameter-overrides VpcId=<vpc-id>, as a stack of its own: an update replaces these resources and changes nothing else. Never deploy it as the template of a stack that holds other resources: the update would delete them. Remove with: aws cloudformation delete-stack --stack-name cdk8s-egress.',
          note: 'Security groups and ACLs have no source match: attach them where the zone sources are. Network Firewall rule groups use strict order: reference the zone groups first and cdk8s-egress-default-deny last in the firewall policy. A subnet has one ACL: zones sharing a subnet need their ACL entries merged.',
          domainRulesOnlyInNetworkFirewall: domainOnly,
        },
      },
      Parameters: { VpcId: { Type: 'AWS::EC2::VPC::Id', Description: 'VPC of the security groups and network ACLs' } },
      Resources: resources,
    };
    return [{ path: 'aws-cloudformation.json', content: jsonText(template) }];
  }
}

function naclProperties(e: NaclEntry): { [key: string]: unknown } {
  return {
    RuleNumber: e.ruleNumber,
    Protocol: e.protocol,
    RuleAction: e.action,
    Egress: e.egress,
    ...(e.ipVersion === 4 ? { CidrBlock: e.cidr } : { Ipv6CidrBlock: e.cidr }),
    ...(e.portRange ? { PortRange: { From: e.portRange.from, To: e.portRange.to } } : {}),
    ...(e.icmp ? { Icmp: { Type: e.icmp.type, Code: e.icmp.code } } : {}),
  };
}
