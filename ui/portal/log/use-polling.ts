import { useEffect, useRef } from 'preact/hooks';

/**
 * Calls `look` every `everyMs` while `active`, at most `budget` times in a row: a page left open
 * stops asking once nothing has come for a while, and the reader's "Refresh" takes over. A new
 * `round` (a test sent, a retry) starts the count again. Each look waits for the one before.
 */
export function usePolling(options: {
  active: boolean;
  look: () => Promise<void>;
  round: number;
  everyMs?: number;
  budget?: number;
  onExhausted?: () => void;
}): void {
  const { active, round, everyMs = 1000, budget = 90 } = options;
  const used = useRef(0);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    used.current = 0;
  }, [round]);
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (stopped) return;
      if (used.current >= budget) {
        latest.current.onExhausted?.();
        return;
      }
      used.current++;
      await latest.current.look().catch(() => undefined);
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    timer = setTimeout(tick, everyMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, round, everyMs, budget]);
}
