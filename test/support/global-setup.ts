import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { TestProject } from 'vitest/node';
import { TEST_BUILD_DIR } from './paths.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

let servers: RedisServerHandle[] = [];

/** Kills whatever is still running, synchronously: the last resort when vitest exits without a teardown. */
function killAll(): void {
  for (const s of servers) if (s.process.exitCode === null && s.process.signalCode === null) s.process.kill('SIGKILL');
}

/** How many workers vitest may run at once: the same resolution as vitest's own (config, then CLI/env, then CPUs). */
function workerCount(project: TestProject): number {
  const configured = project.config.maxWorkers || project.vitest.config.maxWorkers;
  if (configured) return configured;
  return Math.max(availableParallelism() - 1, 1);
}

/**
 * Starts one redis-server per vitest worker on free loopback ports; a test file reads its own with
 * `workerRedisUrl()` (test/support/shared-redis.ts), chosen by VITEST_POOL_ID (1..maxWorkers). A worker
 * runs its files one at a time, so files still have their server to themselves while files in other
 * workers run in parallel on other servers.
 */
export async function setup(project: TestProject): Promise<void> {
  process.once('exit', killAll);
  const count = workerCount(project);
  const started = await Promise.allSettled(Array.from({ length: count }, () => startRedisServer()));
  servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await teardown();
    throw failed.reason;
  }
  // Each run builds the bot afresh when a test asks for the build (test/support/built-bot.ts); older runs' go.
  const runId = `${Date.now()}-${process.pid}`;
  removeOldBuilds();
  project.provide('testRunId', runId);
  project.provide(
    'redisPorts',
    servers.map((s) => s.port),
  );
}

/** Builds of runs that started over an hour ago (a run that is still going keeps its own). */
function removeOldBuilds(): void {
  let names: string[];
  try {
    names = readdirSync(TEST_BUILD_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(TEST_BUILD_DIR, name);
    if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}

export async function teardown(): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** One redis-server port per worker: index VITEST_POOL_ID - 1. */
    redisPorts: number[];
  }
}
