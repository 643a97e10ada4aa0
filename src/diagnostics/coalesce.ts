/**
 * Joins identical work that is already under way: during an incident several people run
 * `/session-ttl diagnose prod` within seconds; one diagnosis runs and each of them gets its report.
 */
export interface Coalescer<T> {
  /** Runs `work` unless work under the same key is in flight; then returns that one's promise. */
  run(key: string, work: () => Promise<T>): { result: Promise<T>; joined: boolean };
  /** Whether work under this key is in flight. */
  has(key: string): boolean;
}

export function createCoalescer<T>(): Coalescer<T> {
  const running = new Map<string, Promise<T>>();
  return {
    run(key, work) {
      const existing = running.get(key);
      if (existing) return { result: existing, joined: true };
      const result = work().finally(() => running.delete(key));
      running.set(key, result);
      return { result, joined: false };
    },
    has: (key) => running.has(key),
  };
}
