/** A timer that ends early when `signal` aborts, so an interrupted run leaves no timer holding the process. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Waits for `wait` and says how the wait ended: `elapsed`, or `aborted` as soon as `signal` aborts (also when
 * it had aborted before). A rejected `wait` rejects.
 */
export function waitOrAbort(wait: Promise<void>, signal: AbortSignal | undefined): Promise<'elapsed' | 'aborted'> {
  if (!signal) return wait.then(() => 'elapsed');
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve('elapsed');
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
