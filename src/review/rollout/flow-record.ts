/**
 * One flow as Calico's Goldmane reports it (goldmane/proto/api.proto of Calico v3.31: `Flow`, `FlowKey`,
 * `PolicyTrace`, `PolicyHit`), read from any of the JSON forms Goldmane's flows take:
 *   - Goldmane's emitter (newline-separated `json.Marshal` of proto.Flow): proto field names (`source_name`),
 *     enums as numbers, `Key` for the key;
 *   - protojson, e.g. `grpcurl ... goldmane.Flows/List`: camelCase names (`sourceName`), enums by name, int64 as
 *     strings; wrapped in `FlowResult` (`{id, flow}`) or `FlowListResult` (`{meta, flows}`) — flow-file.ts unwraps;
 *   - our gRPC client's decoding of the wire format (goldmane-client.ts), which produces the first form.
 * Goldmane's flows carry no IP addresses: a destination outside the cluster is named by the (Global)NetworkSet
 * that contains it, or is only "pub"/"pvt" (Felix, collector/types/endpoint/endpoint.go).
 */

const ENDPOINT_TYPES = ['EndpointTypeUnspecified', 'WorkloadEndpoint', 'HostEndpoint', 'NetworkSet', 'Network'] as const;
const ACTIONS = ['ActionUnspecified', 'Allow', 'Deny', 'Pass'] as const;
const REPORTERS = ['ReporterUnspecified', 'Src', 'Dst'] as const;
const POLICY_KINDS = ['KindUnspecified', 'CalicoNetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'NetworkPolicy', 'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy', 'Profile', 'EndOfTier'] as const;

export type EndpointType = typeof ENDPOINT_TYPES[number];
export type FlowAction = typeof ACTIONS[number];
export type PolicyKind = typeof POLICY_KINDS[number];

/** A policy rule the flow traversed (`PolicyHit`); `trigger` only for kind EndOfTier. */
export interface PolicyHitRecord {
  readonly kind: PolicyKind;
  readonly namespace: string;
  readonly name: string;
  readonly tier: string;
  readonly action: FlowAction;
  readonly policyIndex: number;
  readonly ruleIndex: number;
  readonly trigger?: PolicyHitRecord;
}

/** The fields of a Goldmane flow the rollout report reads. Times are seconds since the epoch. */
export interface FlowRecord {
  readonly sourceName: string;
  readonly sourceNamespace: string;
  readonly sourceType: EndpointType;
  readonly destName: string;
  /** "" (or Felix's "-") for global objects and networks. */
  readonly destNamespace: string;
  readonly destType: EndpointType;
  readonly destPort: number;
  readonly destServiceName: string;
  readonly destServiceNamespace: string;
  readonly destServicePort: number;
  /** Felix's protocol name: tcp, udp, sctp, icmp, icmp6, or the number. */
  readonly proto: string;
  readonly reporter: typeof REPORTERS[number];
  /** What the enforced policies did. */
  readonly action: FlowAction;
  readonly enforcedPolicies: PolicyHitRecord[];
  /** What the policies would do with the staged ones enforced (Felix's pending trace). */
  readonly pendingPolicies: PolicyHitRecord[];
  readonly startTime: number;
  readonly endTime: number;
  readonly packetsOut: number;
  readonly connectionsStarted: number;
}

type Json = { [key: string]: unknown };

/** A flow-record problem: `where` names the record (file and position, or the API). */
export class FlowRecordError extends Error {
  constructor(where: string, reason: string) {
    super(`${where}: ${reason}`);
    this.name = 'FlowRecordError';
  }
}

/** Parses one Goldmane `Flow` object in any of the JSON forms above. */
export function parseFlowRecord(value: unknown, where: string): FlowRecord {
  if (!isObject(value)) throw new FlowRecordError(where, 'is not a Goldmane flow (a JSON object with "Key")');
  const key = field(value, 'Key', 'key');
  if (!isObject(key)) throw new FlowRecordError(where, 'has no "Key": not a Goldmane flow (goldmane/proto Flow)');
  const f = new Fields(where);
  const trace = field(key, 'policies');
  const record: FlowRecord = {
    sourceName: f.string(key, 'source_name'),
    sourceNamespace: f.string(key, 'source_namespace'),
    sourceType: f.enumOf(key, 'source_type', ENDPOINT_TYPES),
    destName: f.string(key, 'dest_name'),
    destNamespace: f.string(key, 'dest_namespace'),
    destType: f.enumOf(key, 'dest_type', ENDPOINT_TYPES),
    destPort: f.int(key, 'dest_port'),
    destServiceName: f.string(key, 'dest_service_name'),
    destServiceNamespace: f.string(key, 'dest_service_namespace'),
    destServicePort: f.int(key, 'dest_service_port'),
    proto: f.string(key, 'proto').toLowerCase(),
    reporter: f.enumOf(key, 'reporter', REPORTERS),
    action: f.enumOf(key, 'action', ACTIONS),
    enforcedPolicies: hits(f, trace, 'enforced_policies'),
    pendingPolicies: hits(f, trace, 'pending_policies'),
    startTime: f.int(value, 'start_time'),
    endTime: f.int(value, 'end_time'),
    packetsOut: f.int(value, 'packets_out'),
    connectionsStarted: f.int(value, 'num_connections_started'),
  };
  if (record.proto === '') throw new FlowRecordError(where, 'has no Key.proto');
  return record;
}

function hits(f: Fields, trace: unknown, name: string): PolicyHitRecord[] {
  if (trace === undefined || trace === null) return [];
  if (!isObject(trace)) throw new FlowRecordError(f.where, 'Key.policies is not an object');
  const list = field(trace, name, camel(name)) ?? [];
  if (!Array.isArray(list)) throw new FlowRecordError(f.where, `Key.policies.${name} is not a list`);
  return list.map(h => hit(f, h));
}

function hit(f: Fields, h: unknown): PolicyHitRecord {
  if (!isObject(h)) throw new FlowRecordError(f.where, 'a policy hit is not an object');
  const trigger = field(h, 'trigger');
  return {
    kind: f.enumOf(h, 'kind', POLICY_KINDS),
    namespace: f.string(h, 'namespace'),
    name: f.string(h, 'name'),
    tier: f.string(h, 'tier'),
    action: f.enumOf(h, 'action', ACTIONS),
    policyIndex: f.int(h, 'policy_index'),
    ruleIndex: f.int(h, 'rule_index'),
    ...(isObject(trigger) ? { trigger: hit(f, trigger) } : {}),
  };
}

/** Reads a field by its proto name or protojson's camelCase name; absent fields are proto3's zero values. */
class Fields {
  constructor(public readonly where: string) {}

  public string(o: Json, name: string): string {
    const v = field(o, name, camel(name));
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw new FlowRecordError(this.where, `${name} ${JSON.stringify(v)} is not a string`);
    return v;
  }

  public int(o: Json, name: string): number {
    const v = field(o, name, camel(name));
    if (v === undefined || v === null) return 0;
    // protojson writes int64 as a string
    const n = typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new FlowRecordError(this.where, `${name} ${JSON.stringify(v)} is not an integer`);
    return n;
  }

  public enumOf<T extends string>(o: Json, name: string, names: readonly T[]): T {
    const v = field(o, name, camel(name));
    if (v === undefined || v === null) return names[0];
    if (typeof v === 'number' && names[v] !== undefined) return names[v];
    if (typeof v === 'string' && (names as readonly string[]).includes(v)) return v as T;
    throw new FlowRecordError(this.where, `${name} ${JSON.stringify(v)} is not one of ${names.join(', ')}`);
  }
}

function field(o: Json, ...names: string[]): unknown {
  for (const n of names) if (Object.prototype.hasOwnProperty.call(o, n)) return o[n];
  return undefined;
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
