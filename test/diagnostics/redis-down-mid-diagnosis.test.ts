import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { openSessionStore } from '../../src/adapters/redis/redis-store.js';
import { parseConfig } from '../../src/config/config.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { startRedisServer } from '../support/redis-server.js';

describe('Redis going down in the middle of a diagnosis', () => {
  it('finishes the checks that were done, reports the others as errors with redis.unreachable, and does not hang', async () => {
    // Given: a private Redis with a few sessions, and a diagnosis whose memory check waits 800 ms between readings.
    const server = await startRedisServer();
    const seed = new Redis(server.url);
    const p = seed.pipeline();
    for (let i = 0; i < 50; i++) p.set(`session:${i}`, '{}', 'EX', 3000);
    await p.exec();
    seed.disconnect();
    const config = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: server.url, connectTimeoutMs: 500 } } }, defaults: { rateWindowMs: 800 } },
      'test',
    );
    const store = openSessionStore(config.environments.dev!, {});
    try {
      // When: Redis is killed while the memory check is inside its measurement window.
      const running = runDiagnosis(
        { config, registry: createCheckRegistry(allChecks), sourcesFor: () => ({ redis: store }) },
        { envName: 'dev', checkIds: ['ttl-sample', 'memory'] },
      );
      await new Promise((r) => setTimeout(r, 300));
      server.process.kill('SIGKILL');
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
