import type { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeOperationalEvents } from '../adapters/aws/eventbridge-operational-events';
import type { OperationalEventPublisher } from '../domain/ports';

/**
 * The functions' operational-event publisher: PutEvents on Herald's bus, a failure logged as a
 * warning (the events' types, ids and tenants: never their payload, which holds URLs) and counted
 * by `count` as `OperationalEventFailed`, so losing events shows on a graph without failing
 * anything.
 */
export function operationalEventPublisher(
  busName: string,
  logger: Pick<Logger, 'warn'>,
  count: (lostEvents: number) => void,
): OperationalEventPublisher {
  return createEventBridgeOperationalEvents({
    busName,
    onFailure: (failure) => {
      logger.warn('operational events not published', { error: failure.error, events: failure.events });
      count(failure.events.length);
    },
  });
}
