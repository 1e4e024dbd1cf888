import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  type OperationalEvent,
  operationalEventDetail,
  operationalSource,
} from '../../domain/operational-events';
import type { OperationalEventPublisher } from '../../domain/ports';

/** What a failed publish reports: no payload (it names URLs and reasons), only what identifies it. */
export interface PublishFailure {
  error: string;
  events: Array<{ type: string; id: string; tenant: string }>;
}

export interface EventBridgeOperationalEventsOptions {
  busName: string;
  /** Called once per failed publish (log a line, count a metric); must not throw. */
  onFailure: (failure: PublishFailure) => void;
  /** Makes the client; by default the SDK's, loaded at first use. Tests give their own. */
  client?: () => Promise<Pick<EventBridgeClient, 'send'>>;
}

/** PutEvents takes at most ten entries a request. */
const maxEntries = 10;

/**
 * Bounded so an operational event never stalls what it reports on: a slow bus costs at most
 * about this long per publish, once (no SDK retry), then the event is counted as lost.
 */
const timeouts = { connectionTimeout: 1_000, requestTimeout: 2_000 } as const;

/**
 * The SDK's client, loaded and made at the first operational event: most invocations publish
 * none (the healthy path emits nothing), so they pay neither the module's load nor the client's
 * set-up at cold start. The endpoint comes from `AWS_ENDPOINT_URL_EVENTBRIDGE` when set (local
 * mode), read when the client is made.
 */
async function sdkClient(): Promise<Pick<EventBridgeClient, 'send'>> {
  const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
  return new EventBridgeClient({ maxAttempts: 1, requestHandler: timeouts });
}

/** Publishes operational events with `PutEvents` on Herald's bus, source `herald`. */
export function createEventBridgeOperationalEvents(
  options: EventBridgeOperationalEventsOptions,
): OperationalEventPublisher {
  let client: Promise<Pick<EventBridgeClient, 'send'>> | undefined;
  const load = options.client ?? sdkClient;

  async function putBatch(events: readonly OperationalEvent[]): Promise<void> {
    // The command class comes with the client's module: loaded at first use too.
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    // A failed load must not stick: the next event tries again.
    client ??= load().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    const output = await (await client).send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: options.busName,
          Source: operationalSource,
          DetailType: event.type,
          Time: new Date(event.time),
          Detail: JSON.stringify(operationalEventDetail(event)),
        })),
      }),
    );
    const failed = (output.Entries ?? []).filter((entry) => entry.ErrorCode);
    if ((output.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
      const first = failed[0];
      throw new Error(
        `PutEvents refused ${output.FailedEntryCount ?? failed.length} of ${events.length}: ${first?.ErrorCode ?? 'unknown'} ${first?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }

  return {
    async publish(events) {
      for (let i = 0; i < events.length; i += maxEntries) {
        const batch = events.slice(i, i + maxEntries);
        try {
          await putBatch(batch);
        } catch (error) {
          try {
            options.onFailure({
              error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
              events: batch.map((e) => ({ type: e.type, id: e.id, tenant: e.tenant })),
            });
          } catch {
            // Reporting is best effort too: nothing an operational event does may fail its caller.
          }
        }
      }
    },
  };
}
