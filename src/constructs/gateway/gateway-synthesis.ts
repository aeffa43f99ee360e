import { IConstruct } from 'constructs';
import { compileDataPath, GatewayDataPathSettings } from './compile-data-path';
import { DATA_PATH_CONFIG_FILE, dataPathConfigMaps } from './data-path-config-map';
import { steeredZones, SteeredZone } from './gateway-routing';
import { EgressModelDocument } from '../../model/egress-model';
import { ValidationErrors } from '../../model/errors';
import { EgressSynthesizer } from '../../synth/egress-synthesizer';

/** A gateway construct as the synth-time renderer sees it. */
export interface DataPathGateway extends IConstruct {
  /** @internal */
  _dataPathSettings(): GatewayDataPathSettings;
  /** @internal */
  _renderFromModel(doc: EgressModelDocument, zones: SteeredZone[], errors: ValidationErrors): void;
}

const registries = new WeakMap<IConstruct, DataPathGateway[]>();

/**
 * Registers a gateway for rendering at synth time. What depends on the whole model (the data-path
 * ConfigMaps, each gateway's egress policy) is rendered once per app from the model, in cdk8s's
 * validation phase like the backends, after every rule has been declared: constructs -> model -> emitters.
 */
export function registerDataPathGateway(gateway: DataPathGateway): void {
  const root = gateway.node.root;
  let list = registries.get(root);
  if (!list) {
    registries.set(root, list = []);
    const gateways = list;
    let rendered = false;
    // Added after the egress synthesizer's own validation (ensureSynthesizer runs first), so the model
    // is built and the backends have rendered when this runs.
    root.node.addValidation({
      validate: () => {
        if (rendered) return [];
        rendered = true;
        renderDataPath(root, gateways);
        return [];
      },
    });
  }
  list.push(gateway);
}

function renderDataPath(root: IConstruct, gateways: DataPathGateway[]): void {
  const doc = EgressSynthesizer.of(root).model();
  const config = compileDataPath(doc, gateways.map(g => g._dataPathSettings()));
  const text = JSON.stringify(config, null, 2) + '\n';
  for (const cm of dataPathConfigMaps(root)) cm.addData(DATA_PATH_CONFIG_FILE, text);
  const errors = new ValidationErrors();
  const zones = steeredZones(doc, errors);
  for (const g of gateways) g._renderFromModel(doc, zones, errors);
  errors.throwIfAny('egress gateways');
}
