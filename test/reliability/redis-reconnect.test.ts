import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSourceCache } from '../../src/app/sources.js';
import { parseConfig } from '../../src/config/config.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { freePort } from '../support/redis-server.js';
import { eventually } from '../support/eventually.js';
import { serverInfoCheck, startRedisOnPort } from './fixtures.js';

describe('a Redis that restarts while the bot runs (issue 9, item 1)', () => {
  const sources = createSourceCache({});
  afterAll(() => sources.close());

  it('is used again after the restart without restarting the bot, and fails fast while it is down', async () => {
    // Given: a private Redis and the bot's source cache (one client per environment, kept between diagnoses).
    const port = await freePort();
    let server = await startRedisOnPort(port);
    const config = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: server.url, connectTimeoutMs: 500 } } } },
      'test',
    );
    const deps = { config, registry: createCheckRegistry([serverInfoCheck]), sourcesFor: sources.sourcesFor };
    const diagnose = () => runDiagnosis(deps, { envName: 'dev', checkIds: ['server-info'] });
    try {
      const before = await diagnose();
      expect(before.checks[0]?.status).toBe('findings');

      // When: Redis stops; a diagnosis during the outage reports it unreachable, quickly.
      await server.stop();
      const t0 = Date.now();
      const during = await diagnose();
      const tookMs = Date.now() - t0;
      expect(during.findings.map((f) => f.id)).toContain('redis.unreachable');
      expect(tookMs, 'a diagnosis during the outage must fail fast, not hang').toBeLessThan(3000);

      // And: the outage lasts several reconnect attempts (the old client gave up after two and stayed closed).
      const client = (sources.sourcesFor(config.environments.dev!).redis!.nodes[0] as unknown as { client: Redis })
        .client;
      let attempts = 0;
      client.on('reconnecting', () => attempts++);
      await eventually(
        'four reconnect attempts, or the client giving up',
        () => (attempts >= 4 || client.status === 'end' ? true : undefined),
        { timeoutMs: 10_000 },
      );
      // And: Redis comes back on the same port.
      server = await startRedisOnPort(port);
      const after = await diagnose();

      // Then: the same cached source answers again (a new server: another run id).
      expect(after.checks[0]?.status, JSON.stringify(after.checks)).toBe('findings');
      const runId = (r: typeof after) => r.findings.find((f) => f.id === 'fixture.server_info')?.evidence.runId;
      expect(runId(after)).toBeTruthy();
      expect(runId(after)).not.toBe(runId(before));
    } finally {
      await server.stop();
    }
  });

  it('replaces a client that has given up (closed) at the next use', async () => {
    const port = await freePort();
    const server = await startRedisOnPort(port);
    const config = parseConfig(
      { environments: { other: { profile: 'development', redis: { url: server.url } } } },
      'test',
    );
    try {
      const deps = { config, registry: createCheckRegistry([serverInfoCheck]), sourcesFor: sources.sourcesFor };
      expect((await runDiagnosis(deps, { envName: 'other', checkIds: ['server-info'] })).checks[0]?.status).toBe(
        'findings',
      );
      const store = sources.sourcesFor(config.environments.other!).redis!;
      const first = store.nodes[0] as unknown as { client: { disconnect(): void; status: string } };
      // Given: the client has ended (as after a fatal error): ioredis never reconnects an ended client.
      first.client.disconnect();
      await eventually('the client to end', () => (first.client.status === 'end' ? true : undefined));
      // When / then: the next use gets a working client.
      const report = await runDiagnosis(deps, { envName: 'other', checkIds: ['server-info'] });
      expect(report.checks[0]?.status, JSON.stringify(report.checks)).toBe('findings');
      expect(store.nodes[0]).not.toBe(first);
    } finally {
      await server.stop();
    }
  });
});
