import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logging.js';

/** One HTTP endpoint, contributed by a feature (exact path and method). */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

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
  /**
   * Aborted when shutdown's grace period is over with work still running: that work tells its user it was
   * interrupted by a restart (and how to run it again), cleans up, and posts nothing else.
   */
  readonly interrupted: AbortSignal;
}

/** Something that runs beside the HTTP server (a Socket Mode connection, a monitor): started after listen. */
export interface Worker {
  name: string;
  start(): Promise<void>;
  /** Stops taking new work; what it already took is drained through `HostContext.work`. */
  stop(): Promise<void>;
}

/** What a feature may contribute. Everything is registered before the host starts. */
export interface HostContext {
  logger: Logger;
  /** Background work drained on shutdown (diagnoses after an ack, alert replies). */
  work: InFlight;
  route(route: Route): void;
  worker(worker: Worker): void;
  /** Runs before the HTTP server listens; a throw aborts start-up (e.g. Slack refusing the token). */
  beforeStart(hook: () => Promise<void>): void;
  /** Runs after in-flight work was drained (or the grace period ran out): close sources and stores here. */
  onClose(hook: () => Promise<void>): void;
  /**
   * A readiness probe (`GET /readyz`): the bot takes traffic only when every probe is ready. `detail`
   * says what is wrong and how to fix it.
   */
  readiness(name: string, probe: Probe): void;
  /**
   * A liveness probe (`GET /healthz`): failing restarts the pod, so only for states the process cannot
   * leave by itself (e.g. the Slack connection down for longer than a limit).
   */
  liveness(name: string, probe: Probe): void;
}

/** The answer of a health probe. */
export interface ProbeResult {
  ok: boolean;
  detail?: string;
}
export type Probe = () => ProbeResult | Promise<ProbeResult>;

/**
 * A feature registers what it contributes on the host (`host/host.ts`); it never starts a server or
 * owns the process, so it runs with or without the others.
 *
 * @example
 * const metrics: Feature = { name: 'metrics', register: (host) => host.route({ method: 'GET', path: '/metrics', handle }) };
 */
export interface Feature {
  name: string;
  register(host: HostContext): void;
}
