import { routerRetryPolicy } from '../functions/shared/pipeline';
import type { PlatformEvent } from './events-endpoint';

/**
 * How EventBridge invokes a rule's Lambda target, in one process: asynchronously, retried with
 * backoff when the invocation fails, for as many tries and as long as the stack's retry policy
 * allows (functions/shared/pipeline.ts), and dead-lettered after that.
 */
export interface RuleTargetOptions {
  invoke: (event: PlatformEvent) => Promise<unknown>;
  onDeadLetter: (event: PlatformEvent, error: unknown) => Promise<void>;
  log: (line: string) => void;
  /** @default routerRetryPolicy, as the stack's rule target */
  policy?: RetryPolicy;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
}

export interface RetryPolicy {
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RuleTarget {
  dispatch(event: PlatformEvent): void;
  /** Waits for every event in flight to be delivered or dead-lettered (retries included). */
  drain(): Promise<void>;
  /** Stops: events waiting for a retry are dead-lettered now (nothing is dropped); then drains. */
  stop(): Promise<void>;
}

/** The wait before retry `retry` (1-based): doubling from the first delay, capped, with full jitter above half. */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function createRuleTarget(options: RuleTargetOptions): RuleTarget {
  const policy: RetryPolicy = options.policy ?? routerRetryPolicy;
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  const waiting = new Set<() => void>();
  let stopping = false;

  /** Resolves after `ms`, or at once when the target stops. */
  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiting.add(wake);
    });
  }

  async function deadLetter(event: PlatformEvent, error: unknown, why: string): Promise<void> {
    options.log(`router failed on event ${event.id}; dead-lettered (${why}): ${String(error)}`);
    await options
      .onDeadLetter(event, error)
      .catch((e: unknown) => options.log(`dead-letter failed: ${String(e)}`));
  }

  async function run(event: PlatformEvent): Promise<void> {
    const expires = now() + policy.maxEventAgeSeconds * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        await options.invoke(event);
        return;
      } catch (error) {
        if (attempt > policy.retryAttempts) return deadLetter(event, error, `${attempt} attempts`);
        const delay = retryDelayMs(policy, attempt);
        if (now() + delay > expires) return deadLetter(event, error, 'older than the maximum event age');
        if (stopping) return deadLetter(event, error, 'local mode stopped');
        options.log(`router failed on event ${event.id} (attempt ${attempt}); retrying: ${String(error)}`);
        await wait(delay);
        if (stopping) return deadLetter(event, error, 'local mode stopped');
      }
    }
  }

  async function drain(): Promise<void> {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  return {
    dispatch(event) {
      const promise = run(event).finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    },
    drain,
    async stop() {
      stopping = true;
      for (const wake of [...waiting]) wake();
      await drain();
    },
  };
}
