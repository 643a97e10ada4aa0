import { z } from 'zod';

/**
 * A whole number from `min` to `max`, given as a number or as the digits a form or `--param` sends
 * (`" 100 "`). An empty or non-numeric string is refused rather than read as 0.
 */
export function wholeNumber(min: number, max: number) {
  const digits = /^\s*-?\d+\s*$/;
  return z.preprocess(
    (v) => (typeof v === 'string' && digits.test(v) ? Number(v) : v),
    z
      .number({ error: 'expected a whole number' })
      .int({ error: 'expected a whole number' })
      .min(min, { error: `expected at least ${min}` })
      .max(max, { error: `expected at most ${max}` }),
  );
}

/** How long a restart's rollout is followed before it is reported timed_out (seconds, default 300). */
export const rolloutTimeoutSeconds = () => wholeNumber(1, 3600).default(300);
