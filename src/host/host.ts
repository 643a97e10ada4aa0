import type { Feature, InFlight, Probe, Route, Worker } from '../core/feature.js';
import type { Logger } from '../core/logging.js';
import { probeRoute } from './health-route.js';
import { createHttpServer, type HttpServer } from './http-server.js';
import { createInFlight } from './in-flight.js';

export type { Feature, HostContext, Route, Worker } from '../core/feature.js';

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

/** Whether `work` settles within `ms`; the timer does not hold the process open. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything the features registered, before the host starts. */
class Registrations {
  readonly routes: Route[] = [];
  readonly readiness = new Map<string, Probe>();
  readonly liveness = new Map<string, Probe>();
  readonly workers: Worker[] = [];
  readonly beforeStart: (() => Promise<void>)[] = [];
  readonly closers: (() => Promise<void>)[] = [];

  constructor(features: readonly Feature[], logger: Logger, work: InFlight) {
    for (const feature of features) {
      feature.register({
        logger,
        work,
        route: (r) => this.routes.push(r),
        worker: (w) => this.workers.push(w),
        beforeStart: (h) => this.beforeStart.push(h),
        onClose: (h) => this.closers.push(h),
        readiness: (name, probe) => void this.readiness.set(name, probe),
        liveness: (name, probe) => void this.liveness.set(name, probe),
      });
    }
  }
}

/** The process: one HTTP server with every feature's routes, their workers and their start/stop hooks. */
class ProcessHost implements Host {
  readonly work = createInFlight();
  private readonly registered: Registrations;
  private readonly http: HttpServer;
  private readonly started: Worker[] = [];
  private draining = false;
  private stopping: Promise<{ drained: boolean }> | undefined;

  constructor(private readonly opts: HostOptions) {
    this.registered = new Registrations(opts.features, opts.logger, this.work);
    const { routes, readiness, liveness } = this.registered;
    // Stops taking traffic as soon as shutdown starts, so the Service sends new requests elsewhere.
    readiness.set('accepting', () => (this.draining ? { ok: false, detail: 'shutting down' } : { ok: true }));
    routes.push(probeRoute('/healthz', liveness), probeRoute('/readyz', readiness));
    // A duplicate route fails here, at construction.
    this.http = createHttpServer({ routes, logger: opts.logger });
  }

  async start(): Promise<{ port: number }> {
    for (const hook of this.registered.beforeStart) await hook();
    const port = await this.http.listen(this.opts.port, this.opts.hostname);
    try {
      for (const w of this.registered.workers) {
        await w.start();
        this.started.push(w);
      }
    } catch (err) {
      await this.stopWorkers();
      await this.http.close();
      throw err;
    }
    return { port };
  }

  stop(): Promise<{ drained: boolean }> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<{ drained: boolean }> {
    this.draining = true;
    // Intake stops at once (a worker's stop first stops taking work), but its stop is not awaited
    // before the drain: a worker whose stop waits on a stalled source (the session monitor on a
    // paused Redis) must not eat the grace period of the work in flight.
    const workersStopped = this.stopWorkers();
    await this.http.close();
    const drained = await this.drain();
    // The workers get the last-words period to finish stopping; then the sources close under them.
    if (!(await settlesWithin(workersStopped, this.lastWordsMs)))
      this.opts.logger.warn('a worker did not finish stopping; closing the sources under it');
    const results = await Promise.allSettled(this.registered.closers.map((c) => c()));
    for (const r of results)
      if (r.status === 'rejected') this.opts.logger.warn({ err: r.reason }, 'a close hook failed');
    return { drained };
  }

  /** Waits for in-flight work within the grace period; then interrupts what still runs and gives it its last words. */
  private async drain(): Promise<boolean> {
    const { logger } = this.opts;
    const graceMs = this.opts.graceMs ?? 20_000;
    const drained = await settlesWithin(this.work.idle(), graceMs);
    if (drained) return true;
    // Work still running is told so: it posts "interrupted by a restart" and cleans up, then the sources close.
    logger.warn(
      { graceMs, unfinished: this.work.size },
      'shutdown grace period over; interrupting the work still running',
    );
    this.work.interrupt();
    if (!(await settlesWithin(this.work.idle(), this.lastWordsMs)))
      logger.warn({ unfinished: this.work.size }, 'interrupted work did not settle; closing with work unfinished');
    return false;
  }

  private get lastWordsMs(): number {
    return this.opts.lastWordsMs ?? 5000;
  }

  private async stopWorkers(): Promise<void> {
    const stopping = this.started.splice(0).reverse();
    const results = await Promise.allSettled(stopping.map((w) => w.stop()));
    for (const r of results)
      if (r.status === 'rejected') this.opts.logger.warn({ err: r.reason }, 'a worker failed to stop');
  }
}

/** The process host of the given features (see `Host`). */
export function createHost(opts: HostOptions): Host {
  return new ProcessHost(opts);
}
