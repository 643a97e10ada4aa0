/** How long `eventually` polls by default: generous, since it only bounds how long a failing test takes. */
export const EVENTUALLY_TIMEOUT_MS = 10_000;

export interface EventuallyOptions {
  /** Give up after this long (default {@link EVENTUALLY_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Pause between two probes (default 20 ms). */
  intervalMs?: number;
  /** What the failure adds after the timeout, e.g. the state last seen. */
  detail?: () => unknown;
}

/**
 * Polls `probe` until it returns something other than `undefined` or `false`, and returns that: the one
 * way the suite waits for a condition (never a fixed sleep as a barrier). Fails after `timeoutMs` with
 * `timed out after N ms waiting for <what>` and the detail. A probe that throws fails at once.
 *
 * @example
 * const line = await eventually('the outbox to give up', () => logs.lines.find((l) => l.msg === 'gave up'));
 * await eventually('B to take the lock', async () => (await b.acquire('prod', 'B')).ok, { timeoutMs: 3000 });
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: EventuallyOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? EVENTUALLY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const seen: unknown = opts.detail ? await opts.detail() : undefined;
      const detail = seen === undefined ? '' : `:\n${typeof seen === 'string' ? seen : JSON.stringify(seen)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
