import type { IntakeGate } from '../core/intake.js';

export type { IntakeGate } from '../core/intake.js';

export const DEFAULT_INTAKE_QUIET_MS = 15;
export const DEFAULT_INTAKE_MAX_DELAY_MS = 1000;

export function createIntakeGate(opts: { quietMs?: number; maxDelayMs?: number; now?: () => number } = {}): IntakeGate {
  const quietMs = opts.quietMs ?? DEFAULT_INTAKE_QUIET_MS;
  const maxDelayMs = opts.maxDelayMs ?? DEFAULT_INTAKE_MAX_DELAY_MS;
  const now = opts.now ?? (() => performance.now());
  let lastArrival = Number.NEGATIVE_INFINITY;
  return {
    arrived() {
      lastArrival = now();
    },
    limiter(max) {
      let running = 0;
      const waiting: { since: number; start: () => void }[] = [];
      let scheduled = false;
      let timer: NodeJS.Timeout | undefined;
      const schedule = () => {
        if (scheduled || timer) return;
        scheduled = true;
        setImmediate(pump);
      };
      function pump(): void {
        scheduled = false;
        const head = waiting[0];
        if (!head || running >= max) return;
        const t = now();
        const quietIn = lastArrival + quietMs - t;
        const overdueIn = head.since + maxDelayMs - t;
        if (quietIn > 0 && overdueIn > 0) {
          timer = setTimeout(
            () => {
              timer = undefined;
              pump();
            },
            Math.ceil(Math.min(quietIn, overdueIn)),
          );
          return;
        }
        waiting.shift();
        running++;
        head.start();
        // One start per macrotask: the next one after the I/O that arrived meanwhile.
        if (waiting.length) schedule();
      }
      return async (fn) => {
        await new Promise<void>((start) => {
          waiting.push({ since: now(), start });
          schedule();
        });
        try {
          return await fn();
        } finally {
          running--;
          if (waiting.length) schedule();
        }
      };
    },
  };
}
