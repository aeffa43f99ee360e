import { Construct } from 'constructs';
import { AllowExternalOptions, IEgressRule } from './egress-rule';
import type { EgressZone } from './egress-zone';
import { declare } from './private/declare';
import { RuleDeclaration } from './private/rule-declaration';
import { constructId } from '../model/construct-id';
import { EgressValidationError } from '../model/errors';
import type { ModelBuilder } from '../synth/model-builder';

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
    super(scope, constructId(scope, id, 'AllowExternal'));
    const owner = scope as Partial<EgressZone>;
    this._modelPath = this.node.path;
    this.rule = declare(this, path => {
      const rule = new RuleDeclaration(path, id, typeof owner.zoneName === 'string' ? owner.zoneName : undefined, props);
      if (props.zones.length === 0) throw new EgressValidationError('zones', '[]', 'is empty: a rule needs at least one zone', path, 'zones: [zone]');
      return rule;
    });
    this.ruleName = this.rule.ruleName;
    this.zoneNames = props.zones.map(z => z.zoneName);
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    this.rule.contribute(builder, this.zoneNames);
  }
}
