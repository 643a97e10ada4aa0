import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { openSessionStore } from '../../src/adapters/redis/redis-store.js';
import { parseConfig } from '../../src/config/config.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import type { RedisNodePort } from '../../src/core/ports/session-store.js';
import { startRedisServer } from '../support/redis-server.js';

describe('Redis going down in the middle of a diagnosis', () => {
  it('finishes the checks that were done, reports the others as errors with redis.unreachable, and does not hang', async () => {
    // Given: a private Redis with a few sessions, and a diagnosis whose memory check waits between its two
    // readings until the test has killed Redis (the engine's sleep, held open by the test).
    const server = await startRedisServer();
    const seed = new Redis(server.url);
    const p = seed.pipeline();
    for (let i = 0; i < 50; i++) p.set(`session:${i}`, '{}', 'EX', 3000);
    await p.exec();
    seed.disconnect();
    const config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: server.url, connectTimeoutMs: 500 } } },
        defaults: { rateWindowMs: 800 },
      },
      'test',
    );
    const store = openSessionStore(config.environments.dev!, {});
    // The memory check's pause between its readings is held open by the test until Redis is dead.
    let enterWindow!: () => void;
    const inWindow = new Promise<void>((resolve) => (enterWindow = resolve));
    let endWindow!: () => void;
    const windowEnded = new Promise<void>((resolve) => (endWindow = resolve));
    const sleep = async (): Promise<void> => {
      enterWindow();
      await windowEnded;
    };
    // The sample is done with Redis once it has read the 50 sessions' values (the node passes every call through).
    const node = store.nodes[0]!;
    let valuesRead = 0;
    let sampleRead!: () => void;
    const sampleDone = new Promise<void>((resolve) => (sampleRead = resolve));
    const watched: RedisNodePort = Object.assign(Object.create(node) as RedisNodePort, {
      readValues: async (keys: readonly string[]) => {
        const values = await node.readValues(keys);
        valuesRead += values.length;
        if (valuesRead >= 50) sampleRead();
        return values;
      },
    });
    const deadline = (ms: number, what: string) =>
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref(),
      );
    try {
      // When: Redis is killed while the memory check is inside its measurement window, after the sample read Redis.
      const running = runDiagnosis(
        {
          config,
          registry: createCheckRegistry(allChecks),
          sourcesFor: () => ({ redis: { nodes: [watched] } }),
          sleep,
        },
        { envName: 'dev', checkIds: ['ttl-sample', 'memory'] },
      );
      await Promise.race([Promise.all([inWindow, sampleDone]), deadline(10_000, 'the memory window and the sample')]);
      const killed = new Promise((resolve) => server.process.once('exit', resolve));
      server.process.kill('SIGKILL');
      await killed;
      endWindow();
      const report = await running;

      // Then: the sample finished before the crash; the memory check ends in error with an actionable message.
      expect(report.checks.find((c) => c.id === 'ttl-sample')?.status).toBe('findings');
      const memory = report.checks.find((c) => c.id === 'memory');
      expect(memory?.status).toBe('error');
      expect(memory?.message).toMatch(/Redis at 127\.0\.0\.1:\d+ (is unreachable|failed)/);
      expect(report.findings.filter((f) => f.id === 'redis.unreachable')).toHaveLength(1);
      expect(report.findings.find((f) => f.id === 'ttl.distribution')?.evidence.sampled).toBe(50);
    } finally {
      await store.close();
      await server.stop();
    }
  });
});
