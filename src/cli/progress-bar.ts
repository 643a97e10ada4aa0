import { count, percent } from '../core/format.js';
export interface ProgressSink {
  write(text: string): unknown;
}

/**
 * A one-line progress bar for `--full` audits, redrawn at most every `intervalMs`.
 * Only used when stderr is a TTY; `now` is passed in so the throttle is testable.
 */
export function createProgressBar(out: ProgressSink, now: () => number = Date.now, intervalMs = 100) {
  let last = 0;
  return {
    update(done: number, total: number | undefined): void {
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      const width = 30;
      if (total && total > 0) {
        const ratio = Math.min(1, done / total);
        const filled = Math.round(ratio * width);
        out.write(
          `\r  auditing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent(ratio).padStart(4)}  ${count(done)} / ${count(total)} keys`,
        );
      } else {
        out.write(`\r  auditing ${count(done)} keys`);
      }
    },
    done(): void {
      out.write('\r\x1b[2K');
    },
  };
}
