import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DATA_PATH_CONFIG_FILE, dataPathConfigMap } from './gateway/data-path-config-map';
import { EgressNodeAgent, EgressNodeAgentOptions } from './gateway/egress-node-agent';
import { agentNamespace } from './gateway/gateway-admission';
import { withdraw } from './private/withdraw';
import { constructId } from '../model/construct-id';
import { validateDnsLabel } from '../model/names';
import { ensureSynthesizer } from '../synth/egress-synthesizer';
import type { ModelBuilder } from '../synth/model-builder';

/** Props of a {@link StagedZoneObserver}. */
export interface StagedZoneObserverProps {
  /** Namespace of the node agent (and of its data-path ConfigMap). */
  readonly namespace: string;
  /**
   * Create the namespace (with the Pod Security labels the agent needs).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * The node agent's options (image, tolerations, resources...). With an EgressGateway in the app, set them there.
   * @default - the node agent's defaults
   */
  readonly nodeAgent?: EgressNodeAgentOptions;
  /**
   * Registry of the egress-nat image.
   * @default - the library's registry
   */
  readonly registry?: string;
  /**
   * Tag of the egress-nat image.
   * @default - the library's version
   */
  readonly imageTag?: string;
  /**
   * Image pull secrets (in `namespace`).
   * @default - none
   */
  readonly imagePullSecrets?: string[];
}

/**
 * Records, on every node, the external destinations of the app's staged zones (address, protocol, port, connections,
 * first and last seen) so that `cdk8s-egress rollout-report --addresses` can name the addresses Goldmane reports only
 * as "pub"/"pvt" (docs/rolling-out.md). For apps without an EgressGateway: it runs the egress-nat node agent (the
 * one DaemonSet of the app that owns node kernel state; an EgressGateway creates the same one) with its data-path
 * ConfigMap, which then lists the staged zones in its `observe` section and steers nothing. With a gateway, set
 * `nodeAgent: { observeStagedZones: true }` on it instead (or as well).
 */
export class StagedZoneObserver extends Construct {
  /** The node agent's DaemonSet (the app's one; escape hatch). */
  public readonly daemonSet: kplus.DaemonSet;
  private readonly configMap: kplus.ConfigMap;

  /**
   * @param scope the construct this observer belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props where the node agent runs, and its options
   */
  constructor(scope: Construct, id: string, props: StagedZoneObserverProps) {
    super(scope, constructId(scope, id, 'StagedZoneObserver'));
    try {
      ensureSynthesizer(this);
      validateDnsLabel('namespace', props.namespace, this.node.path);
      const namespace = props.nodeAgent?.namespace ?? props.namespace;
      if (props.createNamespace !== false) agentNamespace(this, namespace);
      this.configMap = dataPathConfigMap(this, namespace);
      const images = { registry: props.registry, tag: props.imageTag, pullSecrets: props.imagePullSecrets ?? [] };
      this.daemonSet = EgressNodeAgent.obtain(this, namespace, props.nodeAgent, images).daemonSet;
    } catch (e) {
      withdraw(this);
      throw e;
    }
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    builder.requests.observeStagedZones(DATA_PATH_CONFIG_FILE, this.configMap);
  }
}
