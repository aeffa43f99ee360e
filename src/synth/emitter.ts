import { Construct } from 'constructs';
import { OutputRequests } from './output-requests';
import { EgressModelDocument } from '../model/egress-model-document';

/** What every emitter reads: the resolved model and the outputs the app's constructs asked for. */
export interface EmitterInput {
  readonly document: EgressModelDocument;
  readonly requests: OutputRequests;
  /** The construct declared at a model path: emitted API objects go under it so users find them there. */
  scopeFor(path: string): Construct;
}

/** What an emitter produces besides API objects: files (written by the synth step) and warnings. */
export interface EmitterOutput {
  /** A file for the synth step to write (absolute path, or relative to the working directory). */
  writeFile(file: string, content: string): void;
  /** A warning about the declaration at `path`, reported once through the synth reporter. */
  warn(path: string, message: string): void;
}

/**
 * One step of the synth pipeline: it reads only the model, first lists everything it cannot express for
 * it (all at once, named by construct path), and renders only when that list is empty.
 */
export interface Emitter {
  /** What it emits; also the heading of its problem list ("<name>: 3 problems: ..."). */
  readonly name: string;
  /** Problems: what this emitter cannot express for the model. */
  unsupported(input: EmitterInput): string[];
  /** Renders API objects (under `input.scopeFor`) and files (through `output`). */
  render(input: EmitterInput, output: EmitterOutput): void;
}
