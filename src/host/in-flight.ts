import { setMaxListeners } from 'node:events';
import type { InFlight } from '../core/feature.js';

export type { InFlight } from '../core/feature.js';

/** The host's tracker of in-flight work; `interrupt()` aborts `interrupted` (the host calls it when the grace period is over). */
export function createInFlight(): InFlight & { interrupt(): void } {
  const interruption = new AbortController();
  // Every piece of work in flight may listen (hundreds under load): not a leak.
  setMaxListeners(0, interruption.signal);
  const running = new Set<Promise<unknown>>();
  const add = (p: Promise<unknown>) => {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    running.add(settled);
    void settled.finally(() => running.delete(settled));
  };
  return {
    track(work, onError) {
      add(work.catch(onError));
    },
    run(fn) {
      const p = Promise.resolve().then(fn);
      add(p);
      return p;
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    get size() {
      return running.size;
    },
    interrupted: interruption.signal,
    interrupt: () => interruption.abort(new Error('interrupted by a restart')),
  };
}
