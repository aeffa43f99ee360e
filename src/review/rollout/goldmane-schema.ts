import { ProtoField, ProtoSchema } from './protobuf-wire';

// The messages of Goldmane's Flows.List (goldmane/proto/api.proto, Calico v3.31.0) the rollout report uses, by
// their field numbers. Fields the report does not read are left out (the decoder skips them).

const POLICY_HIT: { [n: number]: ProtoField } = {
  1: { name: 'kind', type: 'enum' },
  2: { name: 'namespace', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'tier', type: 'string' },
  5: { name: 'action', type: 'enum' },
  6: { name: 'policy_index', type: 'int64' },
  7: { name: 'rule_index', type: 'int64' },
};
// `PolicyHit trigger = 8`: the message refers to itself.
POLICY_HIT[8] = { name: 'trigger', type: 'message', message: POLICY_HIT };

export const POLICY_HIT_SCHEMA: ProtoSchema = POLICY_HIT;

const FLOW_KEY_SCHEMA: ProtoSchema = {
  1: { name: 'source_name', type: 'string' },
  2: { name: 'source_namespace', type: 'string' },
  3: { name: 'source_type', type: 'enum' },
  4: { name: 'dest_name', type: 'string' },
  5: { name: 'dest_namespace', type: 'string' },
  6: { name: 'dest_type', type: 'enum' },
  7: { name: 'dest_port', type: 'int64' },
  8: { name: 'dest_service_name', type: 'string' },
  9: { name: 'dest_service_namespace', type: 'string' },
  11: { name: 'dest_service_port', type: 'int64' },
  12: { name: 'proto', type: 'string' },
  13: { name: 'reporter', type: 'enum' },
  14: { name: 'action', type: 'enum' },
  15: {
    name: 'policies',
    type: 'message',
    message: {
      1: { name: 'enforced_policies', type: 'message', message: POLICY_HIT_SCHEMA, repeated: true },
      2: { name: 'pending_policies', type: 'message', message: POLICY_HIT_SCHEMA, repeated: true },
    },
  },
};

const FLOW_SCHEMA: ProtoSchema = {
  1: { name: 'Key', type: 'message', message: FLOW_KEY_SCHEMA },
  2: { name: 'start_time', type: 'int64' },
  3: { name: 'end_time', type: 'int64' },
  7: { name: 'packets_out', type: 'int64' },
  10: { name: 'num_connections_started', type: 'int64' },
};

export const FLOW_LIST_REQUEST_SCHEMA: ProtoSchema = {
  1: { name: 'start_time_gte', type: 'int64' },
  2: { name: 'start_time_lt', type: 'int64' },
  3: { name: 'page', type: 'int64' },
  4: { name: 'page_size', type: 'int64' },
};

export const FLOW_LIST_RESULT_SCHEMA: ProtoSchema = {
  1: { name: 'meta', type: 'message', message: { 1: { name: 'totalPages', type: 'int64' } } },
  2: { name: 'flows', type: 'message', repeated: true, message: { 2: { name: 'flow', type: 'message', message: FLOW_SCHEMA } } },
};
