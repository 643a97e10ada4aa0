/**
 * `npm run bench:monitor`: the session lifetime monitor against `redis-benchmark`.
 *
 *  (a) throughput: redis-benchmark writes BENCH_MONITOR_WRITES sessions (`SET session:<rand> v EX 3600`,
 *      two notifications each: set + expire) then deletes them (`DEL`), pipelined from 50 clients; the
 *      monitor handles every notification. Reported: events/s generated, events/s handled (until the monitor
 *      has caught up), how long it trailed after the writers stopped, the lag gauge, the subscriber's peak
 *      output buffer in Redis.
 *  (b) memory: bytes of heap per tracked session (the tracker alone, 200,000 sessions, keys of 40 chars).
 * Targets print as PASS/MISS; the exit code does not depend on them.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { keyspaceFeedOpener } from '../src/adapters/redis/keyspace-feed.js';
import { memoryStateStore } from '../src/adapters/state/memory-state-store.js';
import { parseConfig } from '../src/config/config.js';
import { createLogger } from '../src/core/logging.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { createEnvMonitor } from '../src/monitor/env-monitor.js';
import { LifetimeTracker } from '../src/monitor/lifetime-tracker.js';
import { monitorMetrics } from '../src/monitor/metrics.js';

const WRITES = Number(process.env.BENCH_MONITOR_WRITES ?? 300_000);
const TRACKED = 200_000;
const EVENTS_TARGET = 50_000; // notifications/s handled without falling behind
const BYTES_TARGET = 400;

function run(cmd: string, args: string[]): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve({ ms: performance.now() - t0, out }) : reject(new Error(`${cmd} exited ${code}`)),
    );
  });
}

async function throughput(): Promise<void> {
  const server = await startRedisServer([
    '--notify-keyspace-events',
    'KEg$xe',
    '--client-output-buffer-limit',
    'pubsub 0 0 0',
  ]);
  const registry = new Registry();
  const metrics = monitorMetrics(registry);
  const config = parseConfig(
    {
      environments: {
        bench: { profile: 'development', redis: { url: server.url }, monitor: { maxTracked: 2_000_000 } },
      },
    },
    'bench',
  );
  const env = config.environments.bench!;
  const monitor = createEnvMonitor({
    env,
    openFeed: () => keyspaceFeedOpener({})(env),
    store: memoryStateStore(),
    replica: 'bench',
    metrics,
    logger: createLogger({ level: 'warn' }),
  });
  await monitor.start();
  // start() only begins trying for the lease: writes sent before the subscription is up are not the
  // monitor's to count, so the writers wait until it watches.
  for (const until = Date.now() + 10_000; monitor.health().state !== 'watching';) {
    if (Date.now() > until) throw new Error(`the monitor did not start watching: ${JSON.stringify(monitor.health())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const admin = new Redis(server.url);
  const handled = async () => (await metrics.events.get()).values.reduce((n, v) => n + v.value, 0);
  let peakOmem = 0;
  let maxLag = 0;
  const sampler = setInterval(() => {
    void admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub').then((list) => {
      const omem = Number(/omem=(\d+)/.exec(String(list))?.[1] ?? 0);
      peakOmem = Math.max(peakOmem, omem);
    });
    void metrics.lag.get().then((g) => (maxLag = Math.max(maxLag, g.values[0]?.value ?? 0)));
  }, 50);
  try {
    const t0 = performance.now();
    const set = await run('redis-benchmark', [
      '-p',
      String(server.port),
      '-n',
      String(WRITES),
      '-r',
      String(WRITES),
      '-c',
      '50',
      '-P',
      '16',
      '-q',
      'SET',
      'session:__rand_int__',
      'v',
      'EX',
      '3600',
    ]);
    const keys = await admin.dbsize();
    const del = await run('redis-benchmark', [
      '-p',
      String(server.port),
      '-n',
      String(WRITES),
      '-r',
      String(WRITES),
      '-c',
      '50',
      '-P',
      '16',
      '-q',
      'DEL',
      'session:__rand_int__',
    ]);
    const writersDone = performance.now();
    const deleted = keys - (await admin.dbsize());
    const expected = 2 * WRITES + deleted;
    const deadline = Date.now() + 120_000;
    while ((await handled()) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await monitor.settled();
    const caughtUp = performance.now();
    const got = await handled();
    const generatedRate = expected / ((set.ms + del.ms) / 1000);
    const handledRate = got / ((caughtUp - t0) / 1000);
    console.log(
      `monitor: ${got.toLocaleString()} of ${expected.toLocaleString()} notifications handled (${WRITES.toLocaleString()} SET EX + ${deleted.toLocaleString()} DEL from redis-benchmark)`,
    );
    console.log(
      `  generated ${Math.round(generatedRate).toLocaleString()} events/s; handled ${Math.round(handledRate).toLocaleString()} events/s end to end`,
    );
    console.log(
      `  trailed the writers by ${Math.round(caughtUp - writersDone)} ms; max lag gauge ${maxLag.toFixed(3)} s; peak subscriber output buffer ${(peakOmem / 1024 / 1024).toFixed(1)} MiB`,
    );
    console.log(
      `  ${handledRate >= EVENTS_TARGET && got === expected ? 'PASS' : 'MISS'} target: >= ${EVENTS_TARGET.toLocaleString()} events/s handled, none lost`,
    );
  } finally {
    clearInterval(sampler);
    await monitor.stop();
    admin.disconnect();
    await server.stop();
  }
}

function bytesPerSession(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('memory: run with node --expose-gc (npm run bench:monitor does) to measure bytes per session');
    return;
  }
  const tracker = new LifetimeTracker({
    expectedTtlSeconds: 3600,
    slidingWindow: true,
    maxTracked: 10 * TRACKED,
    sampleRate: 0.1,
    sink: { violation: () => undefined, lifetime: () => undefined },
  });
  const keys = Array.from({ length: TRACKED }, (_, i) => `session:${i.toString(16).padStart(32, '0')}`);
  gc();
  const before = process.memoryUsage().heapUsed;
  const now = Date.now();
  for (const k of keys) {
    tracker.write(k, now);
    tracker.ttl(k, 3_600_000, now);
  }
  gc();
  const perSession = (process.memoryUsage().heapUsed - before) / tracker.size;
  console.log(
    `memory: ${Math.round(perSession)} bytes of heap per tracked session (${tracker.size.toLocaleString()} tracked; key strings held by the caller not counted)`,
  );
  console.log(`  ${perSession <= BYTES_TARGET ? 'PASS' : 'MISS'} target: <= ${BYTES_TARGET} bytes per session`);
}

await throughput();
bytesPerSession();
