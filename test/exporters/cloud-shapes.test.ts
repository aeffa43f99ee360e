/**
 * The JSON exports against the documented resource shapes (small JSON schemas written from the AWS,
 * Terraform, GCP and Azure references), and cfn-lint when it happens to be installed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { pool, rule, set, zone } from './model-fixture';
import { packetEstate } from './packet-estate';
import { hasTool, run } from './tooling';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { DomainHandling } from '../../src/exporters/firewall-exporter';
import { FirewallFormat } from '../../src/exporters/firewall-format';
import { AERLEON_TARGETS } from '../../src/exporters/formats/aerleon-targets';
import { EgressExitMode, EgressModelDocument } from '../../src/model/egress-model-document';

const ajv = new Ajv({ allErrors: true, strict: false });

/** The packet estate plus all-traffic, UDP range, ICMP and domain rules, to exercise every branch. */
function richEstate(): EgressModelDocument {
  const base = packetEstate();
  return {
    ...base,
    destinationSets: [...base.destinationSets, set('names', [], ['api.example.com', '*.example.org']), set('ntp', [['192.0.2.123', 'NTP']])],
    natPools: [...base.natPools, pool('mixed-pool', '10.251.0.0/24', false)],
    zones: [...base.zones, zone('mixed', [
      rule('names', ['names'], [{ protocol: 'TCP', fromPort: 443, toPort: 443 }]),
      rule('ntp', ['ntp'], [{ protocol: 'UDP', fromPort: 123, toPort: 123 }, { protocol: 'UDP', fromPort: 5000, toPort: 5100 }, { protocol: 'ICMP' }]),
      rule('everything', ['card'], []),
    ], { mode: EgressExitMode.POD_ADDRESS, natPools: ['mixed-pool'] })],
  };
}

const CIDR4 = '^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$';
const CIDR6 = '^[0-9a-f:]+/[0-9]{1,3}$';
const SG_TEXT = '^[a-zA-Z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]{0,255}$';

const cfnSchema = {
  type: 'object',
  required: ['AWSTemplateFormatVersion', 'Resources'],
  properties: {
    AWSTemplateFormatVersion: { const: '2010-09-09' },
    Resources: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9]{1,255}$' },
      additionalProperties: {
        oneOf: [
          {
            properties: {
              Type: { const: 'AWS::EC2::SecurityGroup' },
              Properties: {
                type: 'object',
                required: ['GroupDescription'],
                additionalProperties: false,
                properties: {
                  GroupDescription: { type: 'string', pattern: SG_TEXT },
                  VpcId: { type: 'object' },
                  Tags: { type: 'array' },
                  SecurityGroupEgress: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['IpProtocol'],
                      additionalProperties: false,
                      oneOf: [{ required: ['CidrIp'] }, { required: ['CidrIpv6'] }],
                      properties: {
                        IpProtocol: { type: 'string', pattern: '^(tcp|udp|icmp|icmpv6|-1|[0-9]{1,3})$' },
                        CidrIp: { type: 'string', pattern: CIDR4 },
                        CidrIpv6: { type: 'string', pattern: CIDR6 },
                        FromPort: { type: 'integer', minimum: -1, maximum: 65535 },
                        ToPort: { type: 'integer', minimum: -1, maximum: 65535 },
                        Description: { type: 'string', pattern: SG_TEXT },
                      },
                    },
                  },
                },
              },
            },
            required: ['Type', 'Properties'],
          },
          { properties: { Type: { const: 'AWS::EC2::NetworkAcl' }, Properties: { type: 'object', required: ['VpcId'] } }, required: ['Type', 'Properties'] },
          {
            properties: {
              Type: { const: 'AWS::EC2::NetworkAclEntry' },
              Properties: {
                type: 'object',
                required: ['NetworkAclId', 'Protocol', 'RuleAction', 'RuleNumber'],
                additionalProperties: false,
                oneOf: [{ required: ['CidrBlock'] }, { required: ['Ipv6CidrBlock'] }],
                properties: {
                  NetworkAclId: { type: 'object' },
                  RuleNumber: { type: 'integer', minimum: 1, maximum: 32766 },
                  Protocol: { type: 'integer', minimum: -1, maximum: 255 },
                  RuleAction: { enum: ['allow', 'deny'] },
                  Egress: { type: 'boolean' },
                  CidrBlock: { type: 'string', pattern: CIDR4 },
                  Ipv6CidrBlock: { type: 'string', pattern: CIDR6 },
                  PortRange: { type: 'object', required: ['From', 'To'], properties: { From: { type: 'integer' }, To: { type: 'integer' } } },
                  Icmp: { type: 'object', required: ['Code', 'Type'] },
                },
              },
            },
            required: ['Type', 'Properties'],
          },
          {
            properties: {
              Type: { const: 'AWS::NetworkFirewall::RuleGroup' },
              Properties: {
                type: 'object',
                required: ['Capacity', 'RuleGroupName', 'Type'],
                properties: {
                  Capacity: { type: 'integer', minimum: 1, maximum: 30000 },
                  RuleGroupName: { type: 'string', pattern: '^[a-zA-Z0-9-]{1,128}$' },
                  Type: { enum: ['STATELESS', 'STATEFUL'] },
                  Description: { type: 'string', maxLength: 512 },
                  RuleGroup: {
                    type: 'object',
                    required: ['RulesSource'],
                    properties: {
                      RulesSource: { type: 'object', properties: { RulesString: { type: 'string', minLength: 1, maxLength: 2000000 } }, minProperties: 1, maxProperties: 1 },
                      StatefulRuleOptions: { properties: { RuleOrder: { enum: ['DEFAULT_ACTION_ORDER', 'STRICT_ORDER'] } } },
                    },
                  },
                },
              },
            },
            required: ['Type', 'Properties'],
          },
        ],
      },
    },
  },
};

const tfSchema = {
  type: 'object',
  required: ['resource'],
  properties: {
    resource: {
      type: 'object',
      additionalProperties: false,
      properties: {
        aws_security_group: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['name', 'vpc_id', 'egress'],
            properties: {
              description: { type: 'string', pattern: SG_TEXT },
              egress: {
                type: 'array',
                items: {
                  type: 'object',
                  // As an attribute (JSON syntax), every attribute of the block type must be present.
                  required: ['cidr_blocks', 'description', 'from_port', 'ipv6_cidr_blocks', 'prefix_list_ids', 'protocol', 'security_groups', 'self', 'to_port'],
                  additionalProperties: false,
                  properties: {
                    cidr_blocks: { type: 'array', items: { pattern: CIDR4 } },
                    ipv6_cidr_blocks: { type: 'array', items: { pattern: CIDR6 } },
                    description: { type: 'string', pattern: SG_TEXT },
                    from_port: { type: 'integer' },
                    to_port: { type: 'integer' },
                    protocol: { type: 'string' },
                    prefix_list_ids: { type: 'array' },
                    security_groups: { type: 'array' },
                    self: { type: 'boolean' },
                  },
                },
              },
            },
          },
        },
        aws_network_acl: { type: 'object', additionalProperties: { type: 'object', required: ['vpc_id'] } },
        aws_network_acl_rule: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['network_acl_id', 'rule_number', 'protocol', 'rule_action'],
            additionalProperties: false,
            oneOf: [{ required: ['cidr_block'] }, { required: ['ipv6_cidr_block'] }],
            properties: {
              network_acl_id: { type: 'string', pattern: '^\\$\\{aws_network_acl\\.[a-z0-9_]+\\.id\\}$' },
              rule_number: { type: 'integer', minimum: 1, maximum: 32766 },
              egress: { type: 'boolean' },
              protocol: { type: 'string', pattern: '^(-1|[0-9]{1,3})$' },
              rule_action: { enum: ['allow', 'deny'] },
              cidr_block: { type: 'string', pattern: CIDR4 },
              ipv6_cidr_block: { type: 'string', pattern: CIDR6 },
              from_port: { type: 'integer' },
              to_port: { type: 'integer' },
              icmp_type: { type: 'integer' },
              icmp_code: { type: 'integer' },
            },
          },
        },
        aws_networkfirewall_rule_group: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['capacity', 'name', 'type', 'rule_group'],
            properties: {
              name: { type: 'string', pattern: '^[a-zA-Z0-9-]{1,128}$' },
              type: { enum: ['STATEFUL', 'STATELESS'] },
              rule_group: { type: 'object', required: ['rules_source'], properties: { rules_source: { type: 'object', required: ['rules_string'] } } },
            },
          },
        },
      },
    },
  },
};

const gcpSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['kind', 'name', 'network', 'priority', 'direction', 'destinationRanges'],
    additionalProperties: false,
    oneOf: [{ required: ['allowed'] }, { required: ['denied'] }],
    properties: {
      kind: { const: 'compute#firewall' },
      name: { type: 'string', pattern: '^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$' },
      description: { type: 'string', maxLength: 2048 },
      network: { type: 'string' },
      priority: { type: 'integer', minimum: 0, maximum: 65535 },
      direction: { enum: ['INGRESS', 'EGRESS'] },
      sourceRanges: { type: 'array', minItems: 1, maxItems: 256 },
      destinationRanges: { type: 'array', minItems: 1, maxItems: 256 },
      allowed: { $ref: '#/$defs/protocols' },
      denied: { $ref: '#/$defs/protocols' },
    },
  },
  $defs: {
    protocols: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['IPProtocol'],
        additionalProperties: false,
        properties: {
          IPProtocol: { type: 'string', pattern: '^(tcp|udp|icmp|esp|ah|sctp|ipip|all|[0-9]{1,3})$' },
          ports: { type: 'array', items: { type: 'string', pattern: '^[0-9]{1,5}(-[0-9]{1,5})?$' } },
        },
      },
    },
  },
};

const armSchema = {
  type: 'object',
  required: ['$schema', 'contentVersion', 'resources'],
  properties: {
    resources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'apiVersion', 'name', 'location', 'properties'],
        properties: {
          type: { const: 'Microsoft.Network/networkSecurityGroups' },
          properties: {
            type: 'object',
            properties: {
              securityRules: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'properties'],
                  properties: {
                    name: { type: 'string', pattern: '^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,78}[a-zA-Z0-9_])?$' },
                    properties: {
                      type: 'object',
                      required: ['protocol', 'access', 'priority', 'direction', 'sourcePortRange'],
                      additionalProperties: false,
                      allOf: [
                        { oneOf: [{ required: ['destinationPortRange'] }, { required: ['destinationPortRanges'] }] },
                        { oneOf: [{ required: ['destinationAddressPrefix'] }, { required: ['destinationAddressPrefixes'] }] },
                        { required: ['sourceAddressPrefixes'] },
                      ],
                      properties: {
                        description: { type: 'string', maxLength: 140 },
                        protocol: { enum: ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*'] },
                        sourcePortRange: { const: '*' },
                        destinationPortRange: { type: 'string' },
                        destinationPortRanges: { type: 'array', minItems: 2 },
                        sourceAddressPrefixes: { type: 'array', minItems: 1 },
                        destinationAddressPrefixes: { type: 'array', minItems: 1 },
                        destinationAddressPrefix: { type: 'string' },
                        access: { enum: ['Allow', 'Deny'] },
                        priority: { type: 'integer', minimum: 100, maximum: 4096 },
                        direction: { enum: ['Inbound', 'Outbound'] },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

function rendered(format: FirewallFormat): unknown {
  const files = FirewallExport.render(richEstate(), format, { domainHandling: DomainHandling.WARN });
  expect(files).toHaveLength(1);
  return JSON.parse(files[0].content);
}

function valid(schema: object, data: unknown): string {
  const check = ajv.compile(schema);
  return check(data) ? '' : ajv.errorsText(check.errors, { separator: '\n' });
}

describe('JSON exports match the documented resource shapes', () => {
  test('CloudFormation: security groups, NACL entries, Network Firewall rule groups', () => {
    const t = rendered(FirewallFormat.AWS_CLOUDFORMATION) as any;
    expect(valid(cfnSchema, t)).toBe('');
    const types = Object.values(t.Resources).map((r: any) => r.Type);
    expect(new Set(types)).toEqual(new Set(['AWS::EC2::SecurityGroup', 'AWS::EC2::NetworkAcl', 'AWS::EC2::NetworkAclEntry', 'AWS::NetworkFirewall::RuleGroup']));
    // Stateless ACL: the return traffic from each destination is allowed back in to ephemeral ports.
    const entries = Object.values(t.Resources).filter((r: any) => r.Type === 'AWS::EC2::NetworkAclEntry').map((r: any) => r.Properties);
    expect(entries).toContainEqual(expect.objectContaining({ Egress: false, CidrBlock: '203.0.113.0/25', Protocol: 6, PortRange: { From: 1024, To: 65535 } }));
    expect(entries).toContainEqual(expect.objectContaining({ Egress: true, RuleAction: 'deny', Ipv6CidrBlock: '::/0' }));
    // Domains only in the Network Firewall, on TLS SNI and HTTP Host, on the rule's port.
    const rules = t.Resources.MixedEgressRuleGroup.Properties.RuleGroup.RulesSource.RulesString as string;
    expect(rules).toMatch(/^pass tls \[10\.251\.0\.0\/24\] any -> any \[443\] \(.*tls\.sni; content:"api\.example\.com"; nocase; startswith; endswith;/m);
    expect(rules).toMatch(/content:"\.example\.org"; nocase; endswith;/);
    expect(rules).not.toMatch(/^drop/m);
    const sids = [...rules.matchAll(/sid:([0-9]+);/g)].map(m => m[1]);
    expect(new Set(sids).size).toBe(sids.length);
    // Zones share sources (batch's nodes): the drops live in one group, referenced after every zone's passes.
    const drops = t.Resources.DefaultDenyRuleGroup.Properties.RuleGroup.RulesSource.RulesString as string;
    expect(drops.trim().split('\n').map(l => l.replace(/ \(msg.*/, ''))).toEqual([
      'drop ip [10.244.0.0/16,192.0.2.0/26,2001:db8:1::/64] any -> any any',
      'drop ip [192.0.2.100/32] any -> any any',
      'drop ip [10.251.0.0/24] any -> any any',
      'drop ip [10.250.0.0/24] any -> any any',
    ]);
  });

  test('Terraform JSON: aws_security_group, aws_network_acl_rule, aws_networkfirewall_rule_group', () => {
    const t = rendered(FirewallFormat.AWS_TERRAFORM) as any;
    expect(valid(tfSchema, t)).toBe('');
    expect(Object.keys(t.resource)).toEqual(['aws_security_group', 'aws_network_acl', 'aws_network_acl_rule', 'aws_networkfirewall_rule_group']);
    expect(Object.keys(t.resource.aws_networkfirewall_rule_group)).toEqual(['zone_batch', 'zone_gated', 'zone_mixed', 'zone_payments', 'default_deny']);
  });

  test('GCP: compute#firewall EGRESS rules, one family each, explicit deny below the allows', () => {
    const rules = rendered(FirewallFormat.GCP) as any[];
    expect(valid(gcpSchema, rules)).toBe('');
    for (const r of rules) {
      const ranges = [...(r.sourceRanges ?? []), ...r.destinationRanges];
      expect(new Set(ranges.map((c: string) => c.includes(':'))).size).toBe(1);
    }
    const allows = rules.filter(r => r.allowed);
    const denies = rules.filter(r => r.denied);
    expect(denies.map(d => d.name).sort()).toEqual(['cdk8s-egress-batch-deny-v4', 'cdk8s-egress-batch-deny-v6', 'cdk8s-egress-gated-deny-v4', 'cdk8s-egress-mixed-deny-v4', 'cdk8s-egress-payments-deny-v4']);
    expect(Math.max(...allows.map(a => a.priority))).toBeLessThan(Math.min(...denies.map(d => d.priority)));
    expect(new Set(rules.map(r => r.name)).size).toBe(rules.length);
  });

  test('Azure: NSG security rules with unique priorities, explicit deny last', () => {
    const t = rendered(FirewallFormat.AZURE) as any;
    expect(valid(armSchema, t)).toBe('');
    const rules = t.resources[0].properties.securityRules;
    expect(new Set(rules.map((r: any) => r.properties.priority)).size).toBe(rules.length);
    const last = rules[rules.length - 1].properties;
    expect(last).toMatchObject({ access: 'Deny', protocol: '*', destinationAddressPrefix: '*' });
  });

  test('a schema can fail (the checks are not vacuous)', () => {
    const t = rendered(FirewallFormat.GCP) as any[];
    expect(valid(gcpSchema, [{ ...t[0], direction: 'OUT' }])).toMatch(/direction/);
  });
});

const cfnLint = hasTool('cfn-lint');
(cfnLint ? test : test.skip)('cfn-lint accepts the CloudFormation template (only when cfn-lint is installed)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwx-cfn-'));
  const file = path.join(dir, 'template.json');
  fs.writeFileSync(file, FirewallExport.render(richEstate(), FirewallFormat.AWS_CLOUDFORMATION)[0].content);
  const r = run('cfn-lint', ['--regions', 'us-east-1', '--', file]);
  fs.rmSync(dir, { recursive: true });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('every format renders the rich estate, byte for byte the same each time', () => {
  const render = () => FirewallExport.renderAll(richEstate(), FirewallFormat.all(), { domainHandling: DomainHandling.WARN });
  const first = render();
  // 15 files of our own formats; Aerleon's definitions, terms and one policy per generator
  expect(first.files.map(f => f.path)).toHaveLength(15 + 3 + AERLEON_TARGETS.length);
  expect(render()).toEqual(first);
});
