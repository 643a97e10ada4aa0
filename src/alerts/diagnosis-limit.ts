import type { Limiter } from '../core/intake.js';

export type { Limiter } from '../core/intake.js';

/** Alert diagnoses run at most this many at a time: a storm of alerts must not starve the webhook's answers. */
export const DEFAULT_ALERT_DIAGNOSIS_CONCURRENCY = 4;

/**
 * A counting semaphore. Alert diagnoses share the event loop with every HTTP answer; 200 at once kept the
 * webhook from answering for seconds, a few at a time keep it answering in milliseconds.
 */
export function createLimiter(max: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async (fn) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}
