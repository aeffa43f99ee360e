import { DataPathPlan, planDataPath } from '../../datapath/compile-data-path';
import { oncePer } from '../../model/bounded-memo';
import { Emitter, EmitterInput } from '../emitter';

const plans = new WeakMap<EmitterInput, DataPathPlan>();
const planOf = (input: EmitterInput) => oncePer(plans, input,
  i => planDataPath(i.document, i.requests.dataPathGateways.map(g => g.settings), i.requests.observeStaged));

/** The data-path document both agents read, into the ConfigMap(s) the gateways mount. */
export const DATA_PATH_CONFIG: Emitter = {
  name: 'data-path configuration',
  unsupported: input => (input.requests.dataPathTargets.length === 0 ? [] : planOf(input).problems),
  render: input => {
    if (input.requests.dataPathTargets.length === 0) return;
    const text = JSON.stringify(planOf(input).config(), null, 2) + '\n';
    for (const { key, target } of input.requests.dataPathTargets) target.addData(key, text);
  },
};
