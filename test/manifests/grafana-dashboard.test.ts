import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { eventually } from '../support/eventually.js';
import { ROOT } from '../support/paths.js';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus-server.js';
import { startBotProcess, type BotProcess } from '../support/bot-process.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

// Issue 19: the Grafana dashboard ships as a ConfigMap with the grafana_dashboard label, its JSON importable
// as is, and every panel's PromQL holds against a real Prometheus scraping the real bot (src/main.ts in its
// own process): a query error or a metric the bot does not export fails the test.

const DASHBOARD_FILE = join(ROOT, 'manifests', 'bot', 'dashboards', 'session-ttl-bot.json');

interface Target {
  refId: string;
  expr: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
}

/** What the dashboard asks of Prometheus: every panel's queries and every query variable's. */
function queriesOf(d: Dashboard): { where: string; expr: string }[] {
  const panels = d.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })),
  );
  const variables = d.templating.list.flatMap((v) =>
    v.type === 'query' && typeof v.query === 'object' ? [{ where: `variable $${v.name}`, expr: v.query.query }] : [],
  );
  return [...panels, ...variables];
}

/** Grafana's variables as a dashboard user would have them set. */
const expand = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$environment', 'prod')
    .replaceAll('$job', 'session-ttl-bot')
    .replace(/^label_values\((\w+), (\w+)\)$/, 'group by ($2) ($1)');

/** The metric names a query reads: a name directly followed by a selector or a range. */
const metricNames = (expr: string) => [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]!);

/** Every sample name `/metrics` can carry, from its `# TYPE` lines (histograms add _bucket, _sum, _count). */
function exportedNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

/** The dashboard's problems: queries Prometheus refuses, and metric names the bot does not export. */
async function problemsOf(d: Dashboard, exported: Set<string>, prometheus: PrometheusHandle): Promise<string[]> {
  const problems: string[] = [];
  for (const q of queriesOf(d)) {
    const unknown = metricNames(q.expr).filter((n) => !exported.has(n));
    if (unknown.length) problems.push(`${q.where}: the bot exports no ${unknown.join(', ')}`);
    await prometheus.query(expand(q.expr)).catch((err: Error) => problems.push(`${q.where}: ${err.message}`));
  }
  return problems;
}

function renderedDashboard(): { json: string; labels: Record<string, string> } {
  const yaml = execFileSync('kubectl', ['kustomize', join(ROOT, 'manifests', 'overlays', 'prod')], {
    encoding: 'utf8',
  });
  const configMap = parseAllDocuments(yaml)
    .map(
      (doc) =>
        doc.toJS() as { kind: string; metadata: { labels?: Record<string, string> }; data?: Record<string, string> },
    )
    .find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
  expect(configMap, 'a ConfigMap labelled grafana_dashboard in the prod overlay').toBeDefined();
  return { json: configMap!.data!['session-ttl-bot.json']!, labels: configMap!.metadata.labels! };
}

let redis: RedisServerHandle;
let slack: FakeSlackApi;
let bot: BotProcess | undefined;
let metricsUrl: string;
let prometheus: PrometheusHandle;

beforeAll(async () => {
  redis = await startRedisServer(['--notify-keyspace-events', 'KEg$xe']);
  slack = await startFakeSlackApi();
  bot = await startBotProcess({
    config: { environments: { prod: { profile: 'production', redis: { url: redis.url } } } },
    slackApiUrl: slack.apiUrl,
  });
  const running = bot;
  metricsUrl = `${running.url}/metrics`;
  await eventually(
    'the bot to watch prod',
    async () => {
      const text = await fetch(metricsUrl).then(
        (r) => r.text(),
        () => '',
      );
      return /^session_monitor_lease_held\{environment="prod"\} 1$/m.test(text);
    },
    { timeoutMs: 100_000, intervalMs: 200, detail: () => running.output() },
  );
  prometheus = await startPrometheus({
    targets: [`127.0.0.1:${running.port}`],
    job: 'session-ttl-bot',
    interval: '1s',
  });
  await eventually('a first scrape', async () => (await prometheus.query('session_monitor_lease_held')).length > 0, {
    timeoutMs: 30_000,
  });
}, 150_000);

afterAll(async () => {
  await prometheus?.stop();
  await bot?.stop();
  await slack?.close();
  await redis?.stop();
});

describe('the Grafana dashboard', () => {
  it('ships in the prod overlay as a ConfigMap Grafana picks up, its JSON the file as is', () => {
    const { json, labels } = renderedDashboard();
    expect(labels.grafana_dashboard).toBe('1');
    expect(json).toBe(readFileSync(DASHBOARD_FILE, 'utf8'));
    const d = JSON.parse(json) as Dashboard;
    expect(d.uid).toBe('session-ttl-bot');
    expect(d.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'environment']);
    const panels = d.panels.filter((p) => p.type !== 'row');
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it('reads the runbook metrics and the bot health, and every query holds against a real Prometheus scraping the bot', async () => {
    const d = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
    const exported = exportedNames(await fetch(metricsUrl).then((r) => r.text()));
    const names = new Set(queriesOf(d).flatMap((q) => metricNames(q.expr)));
    for (const runbook of ['session_ttl_violations_total', 'session_actual_lifetime_seconds_bucket'])
      expect(names).toContain(runbook);
    for (const health of ['session_monitor_lag_seconds', 'session_monitor_gaps_total', 'session_monitor_lease_held'])
      expect(names).toContain(health);
    for (const bot of ['session_ttl_bot_check_duration_seconds_bucket', 'session_ttl_bot_remediation_events_total'])
      expect(names).toContain(bot);

    expect(await problemsOf(d, exported, prometheus)).toEqual([]);
    // The expected-TTL line beside the lifetimes is the config's (the production profile: 24 h).
    const [ttl] = await prometheus.query(
      expand('max by (environment) (session_expected_ttl_seconds{environment=~"$environment"})'),
    );
    expect(ttl?.value[1]).toBe('86400');
  });

  it('fails a panel whose query Prometheus refuses or whose metric the bot does not export', async () => {
    const exported = exportedNames(await fetch(metricsUrl).then((r) => r.text()));
    const planted: Dashboard = {
      uid: 'x',
      title: 'planted',
      templating: { list: [] },
      panels: [
        {
          id: 1,
          type: 'timeseries',
          title: 'typo',
          gridPos: { x: 0, y: 0, w: 12, h: 8 },
          targets: [{ refId: 'A', expr: 'sum(rate(session_ttl_violation_total[$__rate_interval]))' }],
        },
        {
          id: 2,
          type: 'timeseries',
          title: 'broken',
          gridPos: { x: 12, y: 0, w: 12, h: 8 },
          targets: [{ refId: 'A', expr: 'sum by (reason (session_ttl_violations_total)' }],
        },
      ],
    };
    const problems = await problemsOf(planted, exported, prometheus);
    expect(problems[0]).toBe('panel "typo" A: the bot exports no session_ttl_violation_total');
    expect(problems[1]).toMatch(/^panel "broken" A: .*parse error/);
    expect(problems).toHaveLength(2);
  });
});
