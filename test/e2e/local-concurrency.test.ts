import { deliveryEventSource } from '../../functions/shared/pipeline';
import { eventDetail, seedReviewData } from '../helpers';
import { useLocalHerald } from './support/local';
import { useReceiver } from './support/receiver';
import { until } from './support/wait';

/**
 * Local mode's delivery poller follows `herald.deliveryMaxConcurrency`, as the stack's SQS event
 * source does: against a slow receiver, that many batches of 10 are in flight at once, and never
 * more, until the backlog is delivered.
 */
const maxConcurrency = 3;
const events = 150;
/** The receiver answers each delivery this long after it arrived: a batch stays in flight as long. */
const holdMs = 1_500;

let inFlight = 0;
let most = 0;
const receiver = useReceiver({
  respond: (_hit, response) => {
    inFlight++;
    most = Math.max(most, inFlight);
    setTimeout(() => {
      inFlight--;
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    }, holdMs);
  },
});
const { createWebhook, publish } = useLocalHerald('concurrency', { deliveryMaxConcurrency: maxConcurrency });

it(`holds ${maxConcurrency} batches in flight at once against a slow receiver, never more`, async () => {
  await createWebhook({ url: `${receiver().url}/slow` });
  await Promise.all(
    Array.from({ length: events }, (_, i) =>
      publish('use_case_review_status_updated', eventDetail({ ...seedReviewData, n: i })),
    ),
  );
  const hits = await until(
    () => (receiver().at('/slow').length >= events ? receiver().at('/slow') : undefined),
    { ms: 90_000, what: `${events} deliveries` },
  );
  // Each delivery once; while the backlog lasted, full batches filled every poller and no more.
  expect(new Set(hits.map((hit) => hit.headers['webhook-id'])).size).toBe(events);
  expect(most).toBe(maxConcurrency * deliveryEventSource.batchSize);
}, 120_000);
