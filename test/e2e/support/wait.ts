/** Polling for what an e2e test waits on: a receiver's hit, a line of output, the delivery log. */

export interface WaitOptions {
  /** Give up after this long. @default 20_000 */
  ms?: number;
  /** Named in the timeout error. */
  what?: string;
  /** Time between looks. @default 50 */
  everyMs?: number;
}

/**
 * Waits until `find` (sync or async) returns something other than `undefined`, and returns it;
 * fails after `ms`, naming `what`.
 */
export async function until<T>(
  find: () => T | undefined | Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const { ms = 20_000, what = 'the condition', everyMs = 50 } = options;
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The first `n` items once there are that many, for {@link until}. */
export const atLeast = <T>(items: T[], n: number): T[] | undefined =>
  items.length >= n ? items.slice(0, n) : undefined;

/** For what cannot be waited on as an event: that nothing more happens in a while. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
