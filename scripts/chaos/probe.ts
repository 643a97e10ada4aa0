import type { Redis } from 'ioredis';
import type { Config } from '../../src/config/config.js';
import type { CheckRegistry } from '../../src/diagnostics/registry.js';
import type { FakeSlackApi } from '../../test/fakes/slack-api.js';

/** What every in-process probe shares: one fake Slack, one redis-server (the sessions), a config over it. */
export interface ChaosContext {
  slack: FakeSlackApi;
  /** The redis-server's URL and an admin client on it. */
  redisUrl: string;
  admin: Redis;
  /** The config of an in-process bot over `url` (one `dev` environment, the alert and incident channels). */
  configFor(url: string): Config;
  config: Config;
  /** The fixture check (`server-info`) the in-process bots run. */
  registry: CheckRegistry;
}

export interface ProbeResult {
  held: boolean;
  observed: string;
}

/** One fault: what is expected, and a run that injects it and says what it observed. */
export interface Probe {
  fault: string;
  expected: string;
  /** How long the run may take before it counts as not held (default 30 s). */
  deadlineMs?: number;
  run(): Promise<ProbeResult>;
}

export const INCIDENT = 'C0INCIDENT';
export const PROBE_DEADLINE_MS = 30_000;
export const json = (b: unknown) => JSON.stringify(b);
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
