import type { Feature, InFlight, Probe, Route, Worker } from '../core/feature.js';
import type { Logger } from '../core/logging.js';
import { probeRoute } from './health-route.js';
import { createHttpServer, type HttpServer } from './http-server.js';
import { createInFlight } from './in-flight.js';
import {
  DEFAULT_GRACE_MS,
  DEFAULT_LAST_WORDS_MS,
  shutdownDeadline,
  type ShutdownDeadline,
} from './shutdown-deadline.js';

export type { Feature, HostContext, Route, Worker } from '../core/feature.js';
export { DEFAULT_GRACE_MS, DEFAULT_LAST_WORDS_MS } from './shutdown-deadline.js';

export interface HostOptions {
  features: readonly Feature[];
  logger: Logger;
  port: number;
  /** Listen address (default all interfaces; tests use 127.0.0.1). */
  hostname?: string;
  /** How long shutdown waits for in-flight work before interrupting it (default 20 s). */
  graceMs?: number;
  /**
   * After the grace period, how long interrupted work gets to say so in Slack and clean up (a verify
   * canary) before the sources close (default 5 s). Grace + last words is shutdown's whole budget (25 s by
   * default, below Kubernetes' 30 s): stopping the workers and closing the sources fit in it too.
   */
  lastWordsMs?: number;
}

export interface Host {
  readonly work: InFlight;
  /** Runs the before-start hooks, listens, starts the workers; resolves with the bound port. */
  start(): Promise<{ port: number }>;
  /**
   * Stops intake (workers and the HTTP server), drains in-flight work within the grace period, interrupts
   * what still runs, then runs the close hooks; resolves by grace + last words after the call, whatever
   * hangs. Safe to call twice.
   */
  stop(): Promise<{ drained: boolean }>;
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
    const { logger } = this.opts;
    // Every phase below waits on this one deadline, fixed now (at SIGTERM): none adds time of its own.
    const deadline = shutdownDeadline({
      graceMs: this.graceMs,
      lastWordsMs: this.opts.lastWordsMs ?? DEFAULT_LAST_WORDS_MS,
    });
    this.draining = true;
    // Intake stops at once (a worker's stop first stops taking work), but no stop is awaited before the
    // drain: a worker whose stop waits on a stalled source (the session monitor on a paused Redis), or a
    // request still being answered, must not eat the grace period of the work in flight. Requests get the
    // grace period, then their connections are cut.
    const stillStopping = new Set<string>(['the HTTP server']);
    const workersStopped = this.stopWorkers(stillStopping);
    const httpClosed = this.http
      .close(this.graceMs)
      .catch((err: unknown) => logger.warn({ err }, 'the HTTP server did not close cleanly'))
      .finally(() => stillStopping.delete('the HTTP server'));
    const drained = await this.drain(deadline);
    // The workers and the HTTP server get what is left of the budget; then the sources close under them.
    if (!(await deadline.settles(Promise.all([workersStopped, httpClosed]))))
      logger.warn(
        { stopping: [...stillStopping] },
        'not stopped within the shutdown budget; closing the sources under it',
      );
    const closing = Promise.allSettled(this.registered.closers.map((c) => c())).then((results) => {
      for (const r of results) if (r.status === 'rejected') logger.warn({ err: r.reason }, 'a close hook failed');
    });
    if (!(await deadline.settles(closing)))
      logger.warn('closing the sources did not finish within the shutdown budget; leaving them to the exit');
    return { drained };
  }

  /** Waits for in-flight work until the grace period ends; then interrupts what still runs and gives it its last words. */
  private async drain(deadline: ShutdownDeadline): Promise<boolean> {
    const { logger } = this.opts;
    if (await deadline.settles(this.work.idle(), deadline.graceEnd)) return true;
    // Work still running is told so: it posts "interrupted by a restart" and cleans up, then the sources close.
    logger.warn(
      { graceMs: this.graceMs, unfinished: this.work.size },
      'shutdown grace period over; interrupting the work still running',
    );
    this.work.interrupt();
    if (!(await deadline.settles(this.work.idle())))
      logger.warn({ unfinished: this.work.size }, 'interrupted work did not settle; closing with work unfinished');
    return false;
  }

  private get graceMs(): number {
    return this.opts.graceMs ?? DEFAULT_GRACE_MS;
  }

  /** Stops the started workers, last started first; `stillStopping` holds the names of those not stopped yet. */
  private async stopWorkers(stillStopping = new Set<string>()): Promise<void> {
    const stopping = this.started.splice(0).reverse();
    for (const w of stopping) stillStopping.add(`worker ${w.name}`);
    const results = await Promise.allSettled(
      stopping.map((w) => w.stop().finally(() => stillStopping.delete(`worker ${w.name}`))),
    );
    for (const r of results)
      if (r.status === 'rejected') this.opts.logger.warn({ err: r.reason }, 'a worker failed to stop');
  }
}

/** The process host of the given features (see `Host`). */
export function createHost(opts: HostOptions): Host {
  return new ProcessHost(opts);
}
