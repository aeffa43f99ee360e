import * as fs from 'fs';
import * as path from 'path';
import { EgressModelDocument } from '../model/egress-model-document';

// What every command of the CLI shares: its flag values, the usage error, and reading an app's egress model.

export type Values = { [name: string]: string | boolean | (string | boolean)[] | undefined };

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The value of a required string flag. */
export function need(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** The value of an optional string flag. */
export function optional(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** An app's egress model: its output directory (with egress-model.json) or the file itself. */
export function loadModel(location: string): EgressModelDocument {
  const file = fs.existsSync(location) && fs.statSync(location).isDirectory() ? path.join(location, 'egress-model.json') : location;
  if (!fs.existsSync(file)) throw new Error(`no egress model at ${file}: synthesize the app with an EgressReview construct first`);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (doc.version !== 1) throw new Error(`${file} is egress model version ${doc.version}; this CLI reads version 1`);
  return doc;
}
