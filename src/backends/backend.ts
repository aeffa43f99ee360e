import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { EgressValidationError } from '../model/errors';

const chartDefaults = new WeakMap<IConstruct, Backend>();

/**
 * The policy engine a zone is rendered for. Choose per chart (`Backend.setDefault(chart, …)`) or per zone
 * (`backend` prop); the constructs stay the same.
 */
export class Backend {
  /** Open-source Calico (projectcalico.org/v3): the default. */
  public static readonly CALICO = new Backend('calico');
  /** Calico Enterprise / Calico Cloud: adds domain names and Calico's own egress gateways. */
  public static readonly CALICO_ENTERPRISE = new Backend('calico-enterprise');
  /** Cilium (cilium.io/v2). */
  public static readonly CILIUM = new Backend('cilium');
  /** Plain Kubernetes NetworkPolicy (networking.k8s.io/v1). */
  public static readonly KUBERNETES = new Backend('kubernetes');

  /** A backend by name ("calico", "calico-enterprise", "cilium", "kubernetes"). */
  public static of(name: string): Backend {
    const found = [Backend.CALICO, Backend.CALICO_ENTERPRISE, Backend.CILIUM, Backend.KUBERNETES].find(b => b.name === name);
    if (!found) {
      throw new EgressValidationError('backend', name, 'is not a backend', undefined, 'one of calico, calico-enterprise, cilium, kubernetes');
    }
    return found;
  }

  /** Sets the backend for every zone in the chart of `scope` that does not choose its own. */
  public static setDefault(scope: IConstruct, backend: Backend): void {
    chartDefaults.set(Chart.of(scope), backend);
  }

  /** The backend zones in the chart of `scope` use by default. */
  public static defaultFor(scope: IConstruct): Backend {
    return chartDefaults.get(Chart.of(scope)) ?? Backend.CALICO;
  }

  /** Name of the backend. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** The backend's name. */
  public toString(): string {
    return this.name;
  }
}
