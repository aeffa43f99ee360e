import { IConstruct } from 'constructs';

/** An egress gateway a zone (or one rule) can leave through. */
export interface IEgressGateway extends IConstruct {
  /** Name of the gateway (unique in the app). */
  readonly gatewayName: string;
}
