import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { keyspaceFeedOpener } from '../../src/adapters/redis/keyspace-feed.js';
import { memoryStateStore } from '../../src/adapters/state/memory-state-store.js';
import { parseConfig } from '../../src/config/config.js';
import { createHost } from '../../src/host/host.js';
import { createMetricsFeature } from '../../src/monitor/metrics-feature.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { eventually } from '../support/eventually.js';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus-server.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { scrape } from './scrape.js';

interface RuleGroup {
  name: string;
  rules: { alert?: string; expr: string }[];
}

/** The shipped PrometheusRule's groups: a rules file holds the same `groups` as its `spec`. */
function shippedRuleGroups(): RuleGroup[] {
  const doc = parse(readFileSync('manifests/bot/prometheus-rule.yaml', 'utf8')) as { spec: { groups: RuleGroup[] } }; // the manifest test holds its shape
  return doc.spec.groups;
}

const ruleExpr = (groups: RuleGroup[], alert: string) =>
  groups
    .flatMap((g) => g.rules)
    .find((r) => r.alert === alert)!
    .expr.trim();

let redis: RedisServerHandle;
let prometheus: PrometheusHandle | undefined;
let client: Redis;

beforeAll(async () => {
  redis = await startRedisServer(['--notify-keyspace-events', 'KEg$xe']);
  client = new Redis(redis.url);
});
afterAll(async () => {
  await prometheus?.stop();
  client?.disconnect();
  await redis?.stop();
});

describe('session_ttl_violations_total scraped by a real Prometheus', () => {
  it('a burst of evictions right after the monitor starts raises the shipped SessionTTLViolations expression', async () => {
    const logs = captureLogs('info');
    const config = parseConfig(
      { environments: { prod: { profile: 'production', redis: { url: redis.url } } } },
      'test',
    );
    const metrics = createMetricsFeature({
      config,
      registry: new Registry(),
      store: memoryStateStore(),
      openFeed: keyspaceFeedOpener({}),
      logger: logs.logger,
      replica: 'replica-a',
      processMetrics: false,
      monitorTuning: { tickMs: 100 },
    });
    const host = createHost({
      features: [metrics.feature],
      logger: logs.logger,
      port: 0,
      hostname: '127.0.0.1',
      graceMs: 1000,
    });
    const { port } = await host.start();
    try {
      const groups = shippedRuleGroups();
      const expr = ruleExpr(groups, 'SessionTTLViolations');
      // Given: the monitor watches prod, and Prometheus has scraped it (before any session ended).
      await eventually('the monitor to watch prod', () => metrics.monitors[0]!.status().state === 'watching');
      prometheus = await startPrometheus({
        targets: [`127.0.0.1:${port}`],
        job: 'session-ttl-bot',
        interval: '1s',
        ruleGroups: groups,
      });
      const p = prometheus;
      await eventually('a first scrape', async () => (await p.query('session_monitor_lease_held')).length > 0);

      // When: Redis evicts sessions, all within a moment.
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
      await client.config('SET', 'maxmemory', String(used + 300_000));
      const pipeline = client.pipeline();
      for (let i = 0; i < 800; i++) pipeline.set(`session:${i}`, 'x'.repeat(1024), 'EX', 86_400);
      await pipeline.exec();
      await client.config('SET', 'maxmemory', '0');
      const evicted = await eventually('the monitor to count evictions', async () => {
        const n = (await scrape(port))('session_ttl_violations_total', { environment: 'prod', reason: 'evicted' });
        return n > 0 && n;
      });

      // Then: the series Prometheus stored starts at 0 (it existed before the first eviction)...
      const [series] = await eventually('Prometheus to store the evictions', async () => {
        const s = await p.samples('session_ttl_violations_total{environment="prod",reason="evicted"}[1m]');
        return s[0]?.values.some(([, v]) => Number(v) === evicted) && s;
      });
      expect(Number(series!.values[0]![1])).toBe(0);
      // ...so the rule's expression holds for the evictions, and the alert is pending (its `for` runs).
      const raised = await eventually(
        `${expr} to hold for reason="evicted"`,
        async () => (await p.query(expr)).find((s) => s.metric.reason === 'evicted'),
        { detail: () => p.samples('session_ttl_violations_total[1m]') },
      );
      expect(raised.metric.environment).toBe('prod');
      expect(Number(raised.value[1])).toBeGreaterThan(0);
      const alert = await eventually('the SessionTTLViolations alert', async () =>
        (await p.alerts()).find((a) => a.labels.alertname === 'SessionTTLViolations'),
      );
      expect(alert).toMatchObject({ state: 'pending', labels: { environment: 'prod', reason: 'evicted' } });
      // And: every other reason is a series at 0, which rates to nothing.
      const zero = await p.query('session_ttl_violations_total{environment="prod",reason!="evicted"}');
      expect(zero.map((s) => [s.metric.reason, s.value[1]]).sort()).toEqual([
        ['deleted', '0'],
        ['early_expiration', '0'],
        ['no_ttl', '0'],
        ['short_ttl', '0'],
      ]);
    } finally {
      await host.stop();
    }
  });
});
