/**
 * The export pipeline: flatten the model once, check every format's capabilities (all problems of all
 * formats reported in one error, before anything is rendered), then render each format.
 */
import { buildExportInput } from './build-export-input';
import { checkCapabilities } from './capability-check';
import { DomainHandling, FirewallExportFile } from './firewall-exporter';
import { FirewallFormat } from './firewall-format';
import { EgressModelDocument } from '../model/egress-model-document';
import { ValidationErrors } from '../model/errors';

/** Rendered files of every format, and the warnings to show the user. */
export interface FirewallExportResult {
  /** Files, "<path>" relative to the export folder; paths are unique across formats. */
  readonly files: FirewallExportFile[];
  /** Rules or domains left out, and other things a reviewer should know (de-duplicated, stable order). */
  readonly warnings: string[];
}

/** A firewall export checked against the model: its problems, and (when there are none) its files. */
export interface FirewallExportPlan {
  /** Everything the formats cannot express for the model (all formats at once); empty when it can render. */
  readonly problems: string[];
  /** Renders every format; only when `problems` is empty. Throws when two formats write the same file. */
  render(): FirewallExportResult;
}

/** Checks `formats` for the named zones (all when undefined) without rendering anything. */
export function planFirewallExport(doc: EgressModelDocument, formats: FirewallFormat[], zoneNames: string[] | undefined,
  domainHandling: DomainHandling): FirewallExportPlan {
  const errors = new ValidationErrors();
  const built = buildExportInput(doc, zoneNames);
  built.errors.forEach(e => errors.add(e));
  const seen = new Set<string>();
  for (const f of formats) {
    if (seen.has(f.name)) errors.add(`firewall format "${f.name}" is listed twice`);
    seen.add(f.name);
  }
  if (errors.count > 0) return { problems: errors.messages, render: () => { throw new Error('internal: firewall export has problems'); } };
  const checked = formats.map(format => ({ format, ...checkCapabilities(format.exporter, built.input, domainHandling) }));
  checked.forEach(c => c.errors.forEach(e => errors.add(e)));
  return {
    problems: errors.messages,
    render: () => {
      const files: FirewallExportFile[] = [];
      const owner = new Map<string, string>();
      for (const c of checked) {
        for (const file of c.format.exporter.render(c.input)) {
          const clash = owner.get(file.path);
          if (clash) errors.add(`firewall export file "${file.path}" is written by both "${clash}" and "${c.format.name}"`);
          else if (file.path.startsWith('/') || file.path.split('/').includes('..')) errors.add(`firewall export file "${file.path}" of "${c.format.name}" is not a relative path inside the export folder`);
          owner.set(file.path, c.format.name);
          files.push(file);
        }
      }
      errors.throwIfAny(FIREWALL_EXPORT);
      const warnings = [...new Set([...built.input.warnings, ...checked.flatMap(c => c.warnings)])];
      return { files, warnings };
    },
  };
}

/** The heading of a firewall export's problem list. */
export const FIREWALL_EXPORT = 'firewall export';

/** Renders `formats` for the named zones (all when undefined). Throws one error listing every problem. */
export function exportFirewall(doc: EgressModelDocument, formats: FirewallFormat[], zoneNames: string[] | undefined,
  domainHandling: DomainHandling): FirewallExportResult {
  const plan = planFirewallExport(doc, formats, zoneNames, domainHandling);
  const errors = new ValidationErrors();
  plan.problems.forEach(p => errors.add(p));
  errors.throwIfAny(FIREWALL_EXPORT);
  return plan.render();
}
