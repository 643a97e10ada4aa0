/**
 * Work that runs after a caller has had its answer (a slash command's diagnosis, an alert reply), tracked
 * so that shutdown can drain it and tests can wait for it.
 */
export interface InFlight {
  /** Starts tracking `work`; its failure is handed to `onError` and never rejects anything else. */
  track(work: Promise<unknown>, onError: (err: unknown) => void): void;
  /** Runs `fn` as tracked work and returns its result (a rejection still reaches the caller). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves once nothing tracked is running (including work started while waiting). */
  idle(): Promise<void>;
  readonly size: number;
}

export function createInFlight(): InFlight {
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
  };
}
