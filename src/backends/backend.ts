import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IBackendRenderer } from './backend-renderer';
import { CalicoEnterpriseRenderer } from './calico-enterprise-renderer';
import { CalicoRenderer } from './calico-renderer';
import { CiliumRenderer } from './cilium-renderer';
import { ClusterNetworkPolicyRenderer } from './cluster-network-policy-renderer';
import { istioMeshModel } from './istio/istio-mesh-model';
import { IstioOptions } from './istio/istio-options';
import { IstioRenderer } from './istio/istio-renderer';
import { KubernetesRenderer } from './kubernetes-renderer';
import { EgressValidationError } from '../model/errors';
import { MeshModel } from '../model/mesh-model';

const chartDefaults = new WeakMap<IConstruct, Backend>();
/** Every backend by name: those built in, then those plugged in with `Backend.custom()`. */
const byName = new Map<string, Backend>();

/**
 * The policy engine a zone is rendered for, and the registry of the renderers behind them. Choose per chart
 * (`Backend.setDefault(chart, …)`) or per zone (`backend` prop); the constructs stay the same. Plug in your
 * own policy engine with `Backend.custom(renderer)`, as `FirewallFormat.custom()` plugs in an exporter.
 */
export class Backend {
  /** Open-source Calico (projectcalico.org/v3): the default. */
  public static readonly CALICO = new Backend(new CalicoRenderer());
  /** Calico Enterprise / Calico Cloud: adds domain names and Calico's own egress gateways. */
  public static readonly CALICO_ENTERPRISE = new Backend(new CalicoEnterpriseRenderer());
  /** Cilium (cilium.io/v2). */
  public static readonly CILIUM = new Backend(new CiliumRenderer());
  /** Plain Kubernetes NetworkPolicy (networking.k8s.io/v1). */
  public static readonly KUBERNETES = new Backend(new KubernetesRenderer());
  /** Kubernetes' cluster-wide ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1, network-policy-api v0.3.0). */
  public static readonly CLUSTER_NETWORK_POLICY = new Backend(new ClusterNetworkPolicyRenderer());

  /**
   * Istio, as a zone's mesh layer (`mesh: Backend.istio()`), composed with its network backend: ServiceEntries, the
   * egress point and AuthorizationPolicies that allow the zone's rules, HTTP methods and paths included. The network
   * backend keeps layer 3/4 and lets the zone's external traffic leave only through the egress point.
   * @param options ambient (default) or sidecar mode, and where the egress point is
   */
  public static istio(options: IstioOptions = {}): Backend {
    const mesh = istioMeshModel(options);
    return JSON.stringify(mesh) === JSON.stringify(Backend.ISTIO._mesh) ? Backend.ISTIO : new Backend(Backend.ISTIO_RENDERER, mesh);
  }

  /** A backend by name ("calico", "calico-enterprise", "cilium", "kubernetes", "cluster-network-policy", or one plugged in). */
  public static of(name: string): Backend {
    const found = byName.get(name);
    if (!found) {
      throw new EgressValidationError('backend', name, 'is not a backend', undefined, `one of ${[...byName.keys()].join(', ')}`);
    }
    return found;
  }

  /**
   * A backend rendered by your own renderer; zones choose it like a built-in one. Its name must be new.
   * @param renderer lists what it cannot express for its zones, then renders their API objects
   */
  public static custom(renderer: IBackendRenderer): Backend {
    if (byName.has(renderer.name)) {
      throw new EgressValidationError('backend', renderer.name, 'is already a backend', undefined, 'give the custom renderer a name of its own');
    }
    return new Backend(renderer);
  }

  /** Sets the backend for every zone in the chart of `scope` that does not choose its own. */
  public static setDefault(scope: IConstruct, backend: Backend): void {
    chartDefaults.set(Chart.of(scope), backend);
  }

  /** The backend zones in the chart of `scope` use by default. */
  public static defaultFor(scope: IConstruct): Backend {
    return chartDefaults.get(Chart.of(scope)) ?? Backend.CALICO;
  }

  /** The one Istio renderer; each `Backend.istio()` carries its own egress point. */
  private static readonly ISTIO_RENDERER = new IstioRenderer();
  // Registered under "istio" at load, so that Backend.of("istio") finds it (tools read the backend name from the model).
  private static readonly ISTIO = new Backend(Backend.ISTIO_RENDERER, istioMeshModel({}));

  /** Name of the backend. */
  public readonly name: string;
  /** The renderer that turns this backend's zones into API objects. */
  public readonly renderer: IBackendRenderer;
  /** Whether this is a mesh backend (a zone's `mesh`), not a network backend (a zone's `backend`). */
  public readonly isMesh: boolean;
  /** @internal a mesh backend's egress point, as the zones' model holds it */
  public readonly _mesh?: MeshModel;

  private constructor(renderer: IBackendRenderer, mesh?: MeshModel) {
    this.name = renderer.name;
    this.renderer = renderer;
    this.isMesh = mesh !== undefined;
    this._mesh = mesh;
    if (!byName.has(this.name) || !mesh) byName.set(this.name, this);
  }

  /** The backend's name. */
  public toString(): string {
    return this.name;
  }
}
