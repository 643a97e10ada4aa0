import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createSourceCache } from '../../src/app/sources.js';
import { parseConfig } from '../../src/config/config.js';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { checkMetrics, instrumentChecks } from '../../src/diagnostics/check-metrics.js';
import { startRedisServer } from '../support/redis-server.js';
import { sharedRedisUrl } from '../support/shared-redis.js';

const sources = createSourceCache({});
afterAll(() => sources.close());

describe('check metrics', () => {
  it('times every check and counts failures by the typed error kind, labelled by check id only', async () => {
    const stopped = await startRedisServer();
    await stopped.stop();
    const config = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: sharedRedisUrl() } },
          down: { profile: 'development', redis: { url: stopped.url, connectTimeoutMs: 300 } },
        },
      },
      'test',
    );
    const metricsRegistry = new Registry();
    const registry = createCheckRegistry(instrumentChecks([ttlSampleCheck], checkMetrics(metricsRegistry)));
    await runDiagnosis({ config, registry, sourcesFor: sources.sourcesFor }, { envName: 'dev' });
    const report = await runDiagnosis({ config, registry, sourcesFor: sources.sourcesFor }, { envName: 'down' });
    expect(report.checks.find((c) => c.id === 'ttl-sample')?.status).toBe('error');
    const text = await metricsRegistry.metrics();
    expect(text).toContain('session_ttl_bot_check_duration_seconds_count{check="ttl-sample"} 2');
    expect(text).toContain('session_ttl_bot_check_errors_total{check="ttl-sample",kind="unreachable"} 1');
  });
});
