import { defaultRetrySchedule } from '../../functions/domain/retry';
import { minCallMs } from '../../functions/domain/use-cases/deliver';
import {
  callsPerDelivery,
  deliveryMarginMs,
  deliveryTimings,
  pipelineQueues,
} from '../../functions/shared/pipeline';

describe('deliveryTimings', () => {
  it.each([1_000, 1_500, 15_000, 60_000])(
    'gives a %i ms call timeout a function timeout that fits every call of one delivery and the margin',
    (callTimeoutMs) => {
      const t = deliveryTimings(callTimeoutMs);
      expect(t.functionTimeoutSeconds * 1000).toBeGreaterThanOrEqual(
        callsPerDelivery * callTimeoutMs + deliveryMarginMs,
      );
      // Not a second more than that needs (rounded up to whole seconds, as Lambda takes it).
      expect(t.functionTimeoutSeconds * 1000 - 1000).toBeLessThan(
        callsPerDelivery * callTimeoutMs + deliveryMarginMs,
      );
      expect(t.visibilityTimeoutSeconds).toBe(6 * t.functionTimeoutSeconds);
      // The invocation less the margin leaves a delivery's first call at least its minimum, so no
      // setting can make every delivery be handed back unsent.
      expect(t.functionTimeoutSeconds * 1000 - t.marginMs).toBeGreaterThanOrEqual(minCallMs);
      // Lambda's and SQS's own ceilings.
      expect(t.functionTimeoutSeconds).toBeLessThanOrEqual(900);
      expect(t.visibilityTimeoutSeconds).toBeLessThanOrEqual(43_200);
    },
  );

  it('gives the seed configuration (15 s calls) 65 s and a 390 s visibility timeout', () => {
    expect(deliveryTimings(15_000)).toEqual({
      callTimeoutMs: 15_000,
      functionTimeoutSeconds: 65,
      visibilityTimeoutSeconds: 390,
      marginMs: 5_000,
    });
  });

  it.each([0, 100, 999, 60_001, 1.5, Number.NaN])('refuses a call timeout of %p', (ms) => {
    expect(() => deliveryTimings(ms)).toThrow(/1,000 to 60,000 ms/);
  });
});

describe('pipelineQueues', () => {
  it('redrives the delivery queue after the schedule and four spare receives, with the derived visibility', () => {
    const queues = pipelineQueues({ retrySchedule: defaultRetrySchedule, deliveryTimeoutMs: 15_000 });
    expect(queues.deliveries).toMatchObject({
      visibilityTimeoutSeconds: 390,
      redrive: { deadLetters: 'deadLetters', maxReceiveCount: defaultRetrySchedule.length + 4 },
    });
    expect(queues.deadLetters.redrive).toBeUndefined();
    expect(new Set(Object.values(queues).map((q) => q.suffix)).size).toBe(6);
  });

  it('makes the ordered queue and its dead-letter queue FIFO, redriven only at SQS’s largest count', () => {
    const queues = pipelineQueues({ retrySchedule: defaultRetrySchedule, deliveryTimeoutMs: 15_000 });
    expect(queues.orderedDeliveries).toMatchObject({
      fifo: true,
      visibilityTimeoutSeconds: 390,
      redrive: { deadLetters: 'orderedDeadLetters', maxReceiveCount: 1000 },
    });
    expect(queues.orderedDeadLetters.fifo).toBe(true);
    // SQS refuses a FIFO queue whose name does not end in .fifo.
    expect(queues.orderedDeliveries.suffix).toMatch(/\.fifo$/);
    expect(queues.orderedDeadLetters.suffix).toMatch(/\.fifo$/);
    expect(
      Object.values(queues)
        .filter((q) => !q.fifo)
        .every((q) => !q.suffix.endsWith('.fifo')),
    ).toBe(true);
  });
});
