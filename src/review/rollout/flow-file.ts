import * as fs from 'fs';
import { FlowRecord, FlowRecordError, parseFlowRecord } from './flow-record';

/**
 * Reads a file of Goldmane flows, so the rollout report runs offline (in CI, on a saved capture):
 *   - what Goldmane's emitter pushes: one JSON `Flow` per line;
 *   - what `grpcurl -d '{}' <goldmane> goldmane.Flows/List` (or `/Stream`) prints: `FlowListResult`s or
 *     `FlowResult`s, pretty-printed one after another;
 *   - a JSON array of any of these.
 * Every record is checked; a bad one is an error naming the file and the line it starts on.
 */
export function readFlowFile(file: string): FlowRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlowRecordError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file of flow records' : `cannot be read (${code ?? (e as Error).message})`);
  }
  const records: FlowRecord[] = [];
  for (const { value, line } of jsonValues(text, file)) {
    for (const flow of flowsIn(value)) records.push(parseFlowRecord(flow, `${file}:${line}`));
  }
  return records;
}

/** The flows a JSON value holds: itself, a FlowResult's flow, a FlowListResult's flows, or an array's. */
function flowsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(flowsIn);
  if (typeof value !== 'object' || value === null) return [value];
  const o = value as { [k: string]: unknown };
  if (Array.isArray(o.flows)) return o.flows.flatMap(flowsIn);
  if ('flow' in o && !('Key' in o)) return [o.flow];
  // grpcurl prints an empty FlowListResult as {} (or with meta only)
  if (Object.keys(o).every(k => k === 'meta')) return [];
  return [o];
}

/** The JSON values of a text, one after another (newline-separated or not), with the line each starts on. */
export function* jsonValues(text: string, file: string): Generator<{ value: unknown; line: number }> {
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') line++;
    if (/\s/.test(c) || (i === 0 && c === '\uFEFF')) {
      i++;
      continue;
    }
    const end = valueEnd(text, i);
    const slice = text.slice(i, end);
    let value: unknown;
    try {
      value = JSON.parse(slice);
    } catch (e) {
      throw new FlowRecordError(`${file}:${line}`, `is not JSON (${(e as Error).message})`);
    }
    yield { value, line };
    line += slice.split('\n').length - 1;
    i = end;
  }
}

/** Where the JSON value starting at `start` ends: its closing bracket for objects and arrays, else the end of the line. */
function valueEnd(text: string, start: number): number {
  if (text[start] !== '{' && text[start] !== '[') {
    const nl = text.indexOf('\n', start);
    return nl < 0 ? text.length : nl;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}
