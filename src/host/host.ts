import type { Feature, Probe, Route, Worker } from '../core/feature.js';
import type { Logger } from '../core/logging.js';

export type { Feature, HostContext, Route, Worker } from '../core/feature.js';
import { probeRoute } from './health-route.js';
import { createHttpServer } from './http-server.js';
import { createInFlight } from './in-flight.js';
import type { InFlight } from '../core/feature.js';

export interface HostOptions {
  features: readonly Feature[];
  logger: Logger;
  port: number;
  /** Listen address (default all interfaces; tests use 127.0.0.1). */
  hostname?: string;
  /** How long shutdown waits for in-flight work before closing sources (default 20 s, below Kubernetes' 30 s). */
  graceMs?: number;
  /**
   * After the grace period, how long interrupted work gets to say so in Slack and clean up (a verify
   * canary) before the sources close (default 5 s: grace + this stays below Kubernetes' 30 s).
   */
  lastWordsMs?: number;
}

export interface Host {
  readonly work: InFlight;
  /** Runs the before-start hooks, listens, starts the workers; resolves with the bound port. */
  start(): Promise<{ port: number }>;
  /**
   * Stops intake (workers, then the HTTP server), drains in-flight work within the grace period, then
   * runs the close hooks. Safe to call twice.
   */
  stop(): Promise<{ drained: boolean }>;
}

/** Resolves after `ms` without holding the process open. */
function sleepFor(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** The process: one HTTP server with every feature's routes, their workers and their start/stop hooks. */
export function createHost(opts: HostOptions): Host {
  const work = createInFlight();
  const routes: Route[] = [];
  const readiness = new Map<string, Probe>();
  const liveness = new Map<string, Probe>();
  const workers: Worker[] = [];
  const beforeStart: (() => Promise<void>)[] = [];
  const closers: (() => Promise<void>)[] = [];
  for (const feature of opts.features) {
    feature.register({
      logger: opts.logger,
      work,
      route: (r) => routes.push(r),
      worker: (w) => workers.push(w),
      beforeStart: (h) => beforeStart.push(h),
      onClose: (h) => closers.push(h),
      readiness: (name, probe) => void readiness.set(name, probe),
      liveness: (name, probe) => void liveness.set(name, probe),
    });
  }
  let draining = false;
  // Stops taking traffic as soon as shutdown starts, so the Service sends new requests elsewhere.
  readiness.set('accepting', () => (draining ? { ok: false, detail: 'shutting down' } : { ok: true }));
  routes.push(probeRoute('/healthz', liveness), probeRoute('/readyz', readiness));
  // A duplicate route fails here, at construction.
  const http = createHttpServer({ routes, logger: opts.logger });
  const started: Worker[] = [];
  let stopping: Promise<{ drained: boolean }> | undefined;

  async function stopWorkers(): Promise<void> {
    const results = await Promise.allSettled(
      started
        .splice(0)
        .reverse()
        .map((w) => w.stop()),
    );
    for (const r of results)
      if (r.status === 'rejected') opts.logger.warn({ err: r.reason }, 'a worker failed to stop');
  }

  return {
    work,
    async start() {
      for (const hook of beforeStart) await hook();
      const port = await http.listen(opts.port, opts.hostname);
      try {
        for (const w of workers) {
          await w.start();
          started.push(w);
        }
      } catch (err) {
        await stopWorkers();
        await http.close();
        throw err;
      }
      return { port };
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        // Intake stops at once (a worker's stop first stops taking work), but its stop is not awaited
        // before the drain: a worker whose stop waits on a stalled source (the session monitor on a
        // paused Redis) must not eat the grace period of the work in flight.
        const workersStopped = stopWorkers();
        await http.close();
        const graceMs = opts.graceMs ?? 20_000;
        let timer: NodeJS.Timeout | undefined;
        const idleWithin = async (ms: number): Promise<boolean> => {
          const drained = await Promise.race([
            work.idle().then(() => true),
            new Promise<boolean>((r) => {
              timer = setTimeout(() => r(false), ms);
              timer.unref();
            }),
          ]);
          clearTimeout(timer);
          return drained;
        };
        const drained = await idleWithin(graceMs);
        if (!drained) {
          // Work still running is told so: it posts "interrupted by a restart" and cleans up, then the sources close.
          opts.logger.warn(
            { graceMs, unfinished: work.size },
            'shutdown grace period over; interrupting the work still running',
          );
          work.interrupt();
          const settled = await idleWithin(opts.lastWordsMs ?? 5000);
          if (!settled)
            opts.logger.warn(
              { unfinished: work.size },
              'interrupted work did not settle; closing with work unfinished',
            );
        }
        // The workers get the last-words period to finish stopping; then the sources close under them.
        const workersDone = await Promise.race([
          workersStopped.then(() => true),
          sleepFor(opts.lastWordsMs ?? 5000).then(() => false),
        ]);
        if (!workersDone) opts.logger.warn('a worker did not finish stopping; closing the sources under it');
        const results = await Promise.allSettled(closers.map((c) => c()));
        for (const r of results)
          if (r.status === 'rejected') opts.logger.warn({ err: r.reason }, 'a close hook failed');
        return { drained };
      })();
      return stopping;
    },
  };
}
