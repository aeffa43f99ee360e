/** One problem in a data-path document: where (a JSON path like `$.zones[1].gateway`) and why. */
export interface DataPathProblem {
  readonly path: string;
  readonly reason: string;
}

/**
 * A rejected data-path document. The message lists every problem, one per line, as
 * `<json path>: <reason>` so an operator can fix them all at once.
 */
export class DataPathConfigError extends Error {
  public readonly problems: DataPathProblem[];

  constructor(what: string, problems: DataPathProblem[]) {
    super(`invalid ${what}:\n${problems.map((p) => `  ${p.path}: ${p.reason}`).join('\n')}`);
    this.name = 'DataPathConfigError';
    this.problems = problems;
  }
}
