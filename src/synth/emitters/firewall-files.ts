import * as path from 'path';
import { FIREWALL_EXPORT, FirewallExportPlan, planFirewallExport } from '../../exporters/export-firewall';
import { DomainHandling } from '../../exporters/firewall-exporter';
import { Emitter, EmitterInput } from '../emitter';
import { FirewallFilesRequest } from '../output-requests';

const plans = new WeakMap<EmitterInput, Map<FirewallFilesRequest, FirewallExportPlan>>();
function plansOf(input: EmitterInput): Map<FirewallFilesRequest, FirewallExportPlan> {
  let byRequest = plans.get(input);
  if (!byRequest) {
    byRequest = new Map(input.requests.firewallFiles.map(r => [r,
      planFirewallExport(input.document, r.formats, r.zoneNames, r.domainHandling ?? DomainHandling.ERROR)]));
    plans.set(input, byRequest);
  }
  return byRequest;
}

/** Each FirewallExport's files (nftables, iptables, cloud, vendor, inventories) in its folder. */
export const FIREWALL_FILES: Emitter = {
  name: FIREWALL_EXPORT,
  unsupported: input => [...plansOf(input).values()].flatMap(p => p.problems),
  render: (input, output) => {
    for (const [request, plan] of plansOf(input)) {
      const result = plan.render();
      for (const file of result.files) output.writeFile(path.join(request.outdir, ...file.path.split('/')), file.content);
      for (const w of result.warnings) output.warn(request.path, w);
    }
  },
};
