/**
 * A batch from a FIFO queue, as ordered delivery handles it: the messages of one group (one
 * webhook) one after another in the order received, the groups side by side. When a message does
 * not finish (its attempt failed and a retry is due, it waits on its rate limit, or Herald failed
 * on it), it and every later message of its group in the batch go back to the queue unhandled: the
 * queue keeps them in order behind it, so the group waits for it.
 */

/** What became of one message: `done` lets the next of its group go; `hold` stops the group. */
export type OrderedStep = 'done' | 'hold';

export interface OrderedBatchResult<T> {
  /** Messages handled to the end (delivered, dead-lettered, dropped): to be deleted. */
  done: T[];
  /** Per group, the message that did not finish: back to the queue, when it says. */
  stopped: T[];
  /**
   * Per group, the messages after the one that stopped, in batch order, never handled: back to
   * the queue as they were, behind it.
   */
  notReached: T[];
}

/**
 * The groups of a batch, each in batch order (the order SQS gave, which is the order sent within
 * a group), the groups in the order their first message appears.
 */
export function groupsOf<T>(items: readonly T[], groupOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/**
 * Runs `step` over each group's messages in order, the groups at once. A step that throws stops
 * its group like a `hold` (its message goes back with the queue's visibility timeout); the error
 * is handed to `onError`, which must not throw.
 */
export async function runOrderedBatch<T>(
  items: readonly T[],
  groupOf: (item: T) => string,
  step: (item: T) => Promise<OrderedStep>,
  onError: (item: T, error: unknown) => void,
): Promise<OrderedBatchResult<T>> {
  const result: OrderedBatchResult<T> = { done: [], stopped: [], notReached: [] };
  await Promise.all(
    groupsOf(items, groupOf).map(async (group) => {
      for (let i = 0; i < group.length; i++) {
        const item = group[i] as T;
        let outcome: OrderedStep;
        try {
          outcome = await step(item);
        } catch (error) {
          onError(item, error);
          outcome = 'hold';
        }
        if (outcome === 'done') {
          result.done.push(item);
          continue;
        }
        result.stopped.push(item);
        result.notReached.push(...group.slice(i + 1));
        return;
      }
    }),
  );
  return result;
}

/**
 * The messages to report as batch item failures, so that SQS keeps them: every one that stopped or
 * was not reached. In the batch's order.
 */
export function orderedFailures<T>(items: readonly T[], result: OrderedBatchResult<T>): T[] {
  const failed = new Set<T>([...result.stopped, ...result.notReached]);
  return items.filter((item) => failed.has(item));
}
