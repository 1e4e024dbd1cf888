import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface HeraldEventBusProps {
  /** The bus name (`HeraldSettings.busName`). */
  readonly busName: string;
}

/**
 * The EventBridge bus the platform publishes its events to. The rule that routes Herald's
 * events, the archive and the router function attach to `bus`.
 */
export class HeraldEventBus extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: HeraldEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
  }
}
