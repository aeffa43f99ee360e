import { BackendProblems } from '../backend-problems';
import { IBackendRenderer, IRenderSelection } from '../backend-renderer';

/** Istio as a zone's mesh layer (work in progress: no objects are rendered yet). */
export class IstioRenderer implements IBackendRenderer {
  public readonly name: string = 'istio';

  public unsupported(selection: IRenderSelection): string[] {
    const problems = new BackendProblems(this.name);
    for (const zone of selection.zones) problems.add(`zones yet (zone "${zone.name}": the Istio objects are not rendered yet)`, zone.path);
    return problems.list;
  }

  public render(_selection: IRenderSelection): void {
    throw new Error('internal: the Istio renderer renders nothing yet');
  }
}
