import type { PlatformEvent } from './events-endpoint';

/**
 * How EventBridge invokes a rule's Lambda target, in one process: asynchronously, retried with
 * backoff when the invocation fails, and dead-lettered after the last try.
 */
export interface RuleTargetOptions {
  invoke: (event: PlatformEvent) => Promise<unknown>;
  onDeadLetter: (event: PlatformEvent, error: unknown) => Promise<void>;
  log: (line: string) => void;
  /** @default 3 */
  attempts?: number;
  /** First retry delay; doubles each time. @default 200 */
  baseDelayMs?: number;
}

export interface RuleTarget {
  dispatch(event: PlatformEvent): void;
  /** Waits for every invocation in flight (for a clean stop). */
  drain(): Promise<void>;
}

export function createRuleTarget(options: RuleTargetOptions): RuleTarget {
  const attempts = options.attempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const inFlight = new Set<Promise<void>>();

  async function run(event: PlatformEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.invoke(event);
        return;
      } catch (error) {
        if (attempt >= attempts) {
          options.log(
            `router failed on event ${event.id} ${attempts} times; dead-lettered: ${String(error)}`,
          );
          await options
            .onDeadLetter(event, error)
            .catch((e: unknown) => options.log(`dead-letter failed: ${String(e)}`));
          return;
        }
        options.log(`router failed on event ${event.id} (attempt ${attempt}); retrying: ${String(error)}`);
        await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  return {
    dispatch(event) {
      const promise = run(event).finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    },
    async drain() {
      await Promise.all([...inFlight]);
    },
  };
}
