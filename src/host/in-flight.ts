/** Work that runs after Slack or Alertmanager has had its answer, tracked so shutdown (and tests) can wait for it. */
export interface InFlight {
  /** Starts tracking `work`; its failure is handed to `onError` and never rejects anything else. */
  track(work: Promise<unknown>, onError: (err: unknown) => void): void;
  /** Resolves once nothing tracked is running (including work started while waiting). */
  idle(): Promise<void>;
  readonly size: number;
}

export function createInFlight(): InFlight {
  const running = new Set<Promise<unknown>>();
  return {
    track(work, onError) {
      const p = work.catch(onError).finally(() => running.delete(p));
      running.add(p);
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    get size() {
      return running.size;
    },
  };
}
