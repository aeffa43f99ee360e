import { Construct } from 'constructs';
import { AllowExternalOptions, IEgressRule } from './egress-rule';
import type { EgressZone } from './egress-zone';
import { RuleDeclaration } from './private/rule-declaration';
import { EgressValidationError } from '../model/errors';
import { ensureSynthesizer } from '../synth/egress-synthesizer';
import type { ModelBuilder } from '../synth/model-builder';
import { withdraw } from './private/withdraw';

/** Properties of an AllowExternal rule. */
export interface AllowExternalProps extends AllowExternalOptions {
  /** Zones that may reach the destinations. */
  readonly zones: EgressZone[];
}

/**
 * Allows one or more zones to reach external destinations on given ports. Inline addresses and domains
 * become one destination set of the rule's own; shared sets are referenced, never copied.
 * For one zone, `zone.allow(id, options)` declares the same rule without a construct of its own.
 */
export class AllowExternal extends Construct implements IEgressRule {
  /** Name of the rule. */
  public readonly ruleName: string;
  /** @internal the construct path, kept: the model builder asks every contributor for it */
  public readonly _modelPath: string;
  private readonly zoneNames: string[];
  private readonly rule: RuleDeclaration;

  /**
   * @param scope the construct this AllowExternal belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see AllowExternalProps)
   */
  constructor(scope: Construct, id: string, props: AllowExternalProps) {
    super(scope, id);
    try {
      ensureSynthesizer(this);
      const path = this.node.path;
      this._modelPath = path;
      const owner = scope as Partial<EgressZone>;
      this.rule = new RuleDeclaration(path, id, typeof owner.zoneName === 'string' ? owner.zoneName : undefined, props);
      this.ruleName = this.rule.ruleName;
      if (props.zones.length === 0) throw new EgressValidationError('zones', '[]', 'is empty: a rule needs at least one zone', path);
      this.zoneNames = props.zones.map(z => z.zoneName);
    } catch (e) {
      withdraw(this);
      throw e;
    }
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    this.rule.contribute(builder, this.zoneNames);
  }
}
