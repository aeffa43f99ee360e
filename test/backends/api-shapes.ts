/**
 * Shape checks for objects that have no CRD in ../shared/reference: networking.k8s.io/v1 NetworkPolicy
 * (written from the Kubernetes API reference; the generated types of cdk8s-plus-28 already type-check
 * what the renderer builds), and Calico Enterprise's EgressGateway (operator.tigera.io/v1, from
 * tigera/operator api/v1/egressgateway_types.go) and EgressGatewayPolicy (projectcalico.org/v3, from the
 * Calico Enterprise reference). Unknown fields are errors.
 */
import Ajv from 'ajv';
import * as ipaddr from 'ipaddr.js';

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('cidr', { type: 'string', validate: (s: string) => ipaddr.isValidCIDR(s) });

const LABEL_VALUE = { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' };
const LABEL_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$';
const LABEL_SELECTOR = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', propertyNames: { pattern: LABEL_KEY }, additionalProperties: LABEL_VALUE },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: { key: { type: 'string', pattern: LABEL_KEY }, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: LABEL_VALUE } },
      },
    },
  },
};
const METADATA = (namespaced: boolean) => ({
  type: 'object',
  additionalProperties: false,
  required: namespaced ? ['name', 'namespace'] : ['name'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
    namespace: namespaced ? { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' } : { not: {} },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
});

const NETWORK_POLICY_PEER = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    podSelector: LABEL_SELECTOR,
    namespaceSelector: LABEL_SELECTOR,
    ipBlock: {
      type: 'object',
      additionalProperties: false,
      required: ['cidr'],
      properties: { cidr: { type: 'string', format: 'cidr' }, except: { type: 'array', items: { type: 'string', format: 'cidr' } } },
    },
  },
  // ipBlock cannot be combined with selectors.
  not: { required: ['ipBlock'], anyOf: [{ required: ['podSelector'] }, { required: ['namespaceSelector'] }] },
};
const NETWORK_POLICY_PORT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
    port: { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$', maxLength: 15 }] },
    endPort: { type: 'integer', minimum: 1, maximum: 65535 },
  },
  // endPort needs a numeric port.
  if: { required: ['endPort'] },
  then: { required: ['port'], properties: { port: { type: 'integer' } } },
};

const networkPolicySchema = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'networking.k8s.io/v1' },
    kind: { const: 'NetworkPolicy' },
    metadata: METADATA(true),
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['podSelector'],
      properties: {
        podSelector: LABEL_SELECTOR,
        policyTypes: { type: 'array', items: { enum: ['Ingress', 'Egress'] } },
        egress: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { to: { type: 'array', items: NETWORK_POLICY_PEER }, ports: { type: 'array', items: NETWORK_POLICY_PORT } },
          },
        },
      },
    },
  },
});

const PROBE = (key: string) => ({
  type: 'object',
  additionalProperties: false,
  required: [key],
  properties: { [key]: { type: 'array', minItems: 1, items: { type: 'string' } }, intervalSeconds: { type: 'integer', minimum: 0 }, timeoutSeconds: { type: 'integer', minimum: 0 } },
});
const egressGatewaySchema = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'operator.tigera.io/v1' },
    kind: { const: 'EgressGateway' },
    metadata: METADATA(true),
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['ipPools'],
      properties: {
        replicas: { type: 'integer', minimum: 0, maximum: 2147483647 },
        ipPools: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name: { type: 'string' }, cidr: { type: 'string', format: 'cidr' } } },
        },
        logSeverity: { enum: ['Trace', 'Debug', 'Info', 'Warn', 'Error', 'Fatal'] },
        template: {
          type: 'object',
          additionalProperties: false,
          properties: {
            metadata: { type: 'object', additionalProperties: false, properties: { labels: { type: 'object' }, annotations: { type: 'object' } } },
            spec: {
              type: 'object',
              additionalProperties: false,
              properties: { nodeSelector: { type: 'object', additionalProperties: { type: 'string' } }, affinity: { type: 'object' }, tolerations: { type: 'array' } },
            },
          },
        },
        egressGatewayFailureDetection: {
          type: 'object',
          additionalProperties: false,
          properties: { healthTimeoutDataStoreSeconds: { type: 'integer', minimum: 1 }, icmpProbe: PROBE('ips'), httpProbe: PROBE('urls') },
        },
      },
    },
  },
});

const egressGatewayPolicySchema = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'projectcalico.org/v3' },
    kind: { const: 'EgressGatewayPolicy' },
    metadata: METADATA(false),
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['rules'],
      properties: {
        rules: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              description: { type: 'string' },
              destination: { type: 'object', additionalProperties: false, required: ['cidr'], properties: { cidr: { type: 'string', format: 'cidr' } } },
              gateway: {
                type: 'object',
                additionalProperties: false,
                required: ['selector'],
                properties: { selector: { type: 'string' }, namespaceSelector: { type: 'string' }, maxNextHops: { type: 'integer', minimum: 0 } },
              },
              gatewayPreference: { enum: ['None', 'PreferNodeLocal'] },
            },
          },
        },
      },
    },
  },
});

function errors(validate: any, obj: any): string[] {
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e: any) => `${e.instancePath || '(root)'}: ${e.message}${e.params?.additionalProperty ? ` "${e.params.additionalProperty}"` : ''}`);
}

/** Problems of a NetworkPolicy; empty when it has the API's shape. */
export function validateNetworkPolicy(obj: any): string[] {
  const out = errors(networkPolicySchema, obj);
  // ipBlock.except must lie inside cidr (the API server rejects it otherwise).
  for (const rule of obj?.spec?.egress ?? []) {
    for (const peer of rule.to ?? []) {
      for (const ex of peer.ipBlock?.except ?? []) {
        const [net, len] = ipaddr.parseCIDR(peer.ipBlock.cidr);
        const [exNet, exLen] = ipaddr.parseCIDR(ex);
        if (exNet.kind() !== net.kind() || exLen <= len || !exNet.match(net, len)) out.push(`ipBlock.except ${ex} is not inside ${peer.ipBlock.cidr}`);
      }
    }
  }
  return out;
}

/** Problems of a Calico Enterprise EgressGateway. */
export function validateEgressGateway(obj: any): string[] {
  const out = errors(egressGatewaySchema, obj);
  for (const p of ['icmpProbe', 'httpProbe']) {
    const probe = obj?.spec?.egressGatewayFailureDetection?.[p];
    if (probe && probe.timeoutSeconds <= probe.intervalSeconds) out.push(`${p}: timeout must be greater than interval`);
  }
  return out;
}

/** Problems of a Calico Enterprise EgressGatewayPolicy (including LPM's "no destination twice"). */
export function validateEgressGatewayPolicy(obj: any): string[] {
  const out = errors(egressGatewayPolicySchema, obj);
  const seen = new Set<string>();
  for (const r of obj?.spec?.rules ?? []) {
    const key = r.destination?.cidr ?? 'default';
    if (seen.has(key)) out.push(`destination ${key} is used in two rules`);
    seen.add(key);
  }
  return out;
}
