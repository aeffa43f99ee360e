import { renderAmbient } from './istio-ambient';
import { IstioMode } from './istio-options';
import { EgressPointPlan, istioPlan } from './istio-plan';
import { renderSidecar } from './istio-sidecar';
import { oncePer } from '../../model/bounded-memo';
import { IBackendRenderer, IRenderSelection } from '../backend-renderer';

/**
 * Istio as the mesh layer of the zones that choose it (`mesh: Backend.istio()`): per egress point, ambient mode's
 * waypoint or sidecar mode's egress gateway pattern, with AuthorizationPolicies that allow each zone's rules, HTTP
 * methods, paths and hosts (or TLS server names) included. The zones' network backend renders the rest (see
 * mesh-egress-zones.ts): their external traffic may leave only from the egress point's pods.
 */
export class IstioRenderer implements IBackendRenderer {
  public readonly name: string = 'istio';
  /** Once per selection: synth asks for the problems, then the objects, of the same selection. */
  private readonly plans = new WeakMap<IRenderSelection, { problems: string[]; points: EgressPointPlan[] }>();

  public unsupported(selection: IRenderSelection): string[] {
    return oncePer(this.plans, selection, istioPlan).problems;
  }

  public render(selection: IRenderSelection): void {
    const { problems, points } = oncePer(this.plans, selection, istioPlan);
    if (problems.length > 0) throw new Error(`internal: rendering istio with problems: ${problems.join('; ')}`);
    for (const point of points) {
      const scope = selection.scopeFor(point.path);
      if (point.mesh.mode === IstioMode.SIDECAR) renderSidecar(scope, point);
      else renderAmbient(scope, point);
    }
  }
}
