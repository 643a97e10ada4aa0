/**
 * `npm run bench:webhook`: how fast `POST /alertmanager` answers when 200 notifications arrive at once and
 * each starts a diagnosis (200 environments on one Redis with 20,000 sessions, so no cooldown joins them),
 * next to a bare node:http server answering the same POSTs in the same run. A second wave of 200 arrives
 * while the first wave's diagnoses run. Target: p99 < 100 ms whatever the diagnoses behind it do. The
 * baseline says what the host itself costs: on a loaded 2-CPU machine even the bare server misses 100 ms.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createSourceCache } from '../src/adapters/sources.js';
import { openStateStore } from '../src/adapters/state/open-state-store.js';
import { createBot } from '../src/bot.js';
import { parseConfig } from '../src/config/config.js';
import { allChecks } from '../src/diagnostics/all-checks.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { loadCorpus } from '../test/alerts/corpus.js';
import { startFakeSlackApi } from '../test/fakes/slack-api.js';
import { seedSessions } from './seed-sessions.js';

const CONCURRENT = Number(process.env.BENCH_WEBHOOKS ?? 200);
const TARGET_P99_MS = 100;
const TOKEN = 'bench-alertmanager-token';

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const firing = loadCorpus<unknown>('alertmanager').find((f) => f.name === 'firing')!.input as Record<string, any>;

function notification(env: string, group: string): string {
  const alert = { ...firing.alerts[0], labels: { ...firing.alerts[0].labels, env }, fingerprint: `fp-${group}` };
  return JSON.stringify({ ...firing, groupKey: `{}:{group="${group}"}`, alerts: [alert], commonLabels: { ...firing.commonLabels, env } });
}

// The client runs in its own process (bench/webhook-client.ts): measured from outside, as Alertmanager sees it.
const client = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'webhook-client.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
const answers = createInterface({ input: client.stdout })[Symbol.asyncIterator]();

/** Sends all bodies at once from the client process; the latency of each, sorted. */
async function burst(url: string, bodies: readonly string[]): Promise<number[]> {
  client.stdin.write(`${JSON.stringify({ url, token: TOKEN, bodies })}\n`);
  const next = await answers.next();
  if (next.done) throw new Error('the benchmark client exited');
  return JSON.parse(next.value as string) as number[];
}

const redis = await startRedisServer();
const slack = await startFakeSlackApi();
await seedSessions({ port: redis.port, count: 20_000, ttlSeconds: 86_400, spreadSeconds: 3600, nowMs: Date.now() });
const envNames = Array.from({ length: CONCURRENT }, (_, i) => `env${i}`);
const config = parseConfig(
  {
    environments: Object.fromEntries(envNames.map((n) => [n, { profile: 'development', redis: { url: redis.url } }])),
    defaults: { rateWindowMs: 0 },
    slack: { alertChannel: 'C0ALERTS' },
  },
  'bench',
);
const sources = createSourceCache({});
const state = openStateStore({ url: redis.url, logger: pino({ level: 'silent' }) });
const bot = createBot({
  settings: { mode: 'http', botToken: 'xoxb-bench', signingSecret: 'bench-signing-secret-0123456789ab', slackApiUrl: slack.apiUrl, port: 0, logLevel: 'error' },
  config,
  registry: createCheckRegistry(allChecks),
  sourcesFor: sources.sourcesFor,
  logger: pino({ level: 'error' }),
  hostname: '127.0.0.1',
  webApiRetries: 0,
  alerts: { stateStore: state.store, alertmanagerToken: TOKEN },
  onClose: [sources.close, state.close],
});
const baseline = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
try {
  const { port } = await bot.start();
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
  const bare = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/alertmanager`;
  const hook = `http://127.0.0.1:${port}/alertmanager`;

  // Warm-up: as many keep-alive connections as a wave uses (Alertmanager keeps its connections open), JIT,
  // and the first diagnosis (one environment). The bot's warm-up notifications name an alert it does not answer.
  await burst(bare, envNames.map((e) => notification(e, `warm-${e}`)));
  await burst(hook, envNames.map((e) => notification(e, `warm-${e}`).replace('SessionTTLViolations', 'UnrelatedWarmUp')));
  await burst(hook, [notification('env0', 'warm')]);
  await bot.idle();

  const base = await burst(bare, envNames.map((e) => notification(e, `base-${e}`)));
  const lag = (await import('node:perf_hooks')).monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = performance.now();
  const first = await burst(hook, envNames.map((e) => notification(e, `w1-${e}`)));
  // The second wave arrives while the first wave's diagnoses run (re-fired alerts: cooldown replies).
  const second = await burst(hook, envNames.map((e) => notification(e, `w2-${e}`)));
  const waves = performance.now() - t0;
  lag.disable();
  console.log(`event loop delay during the waves: p50 ${(lag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`);
  await bot.idle();
  const allDoneMs = performance.now() - t0;
  const diagnoses = slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts && JSON.stringify(c.body).includes('Automatic diagnosis')).length;

  const row = (name: string, s: number[]) =>
    `${name.padEnd(46)} p50 ${quantile(s, 0.5).toFixed(1).padStart(7)} ms   p99 ${quantile(s, 0.99).toFixed(1).padStart(7)} ms   max ${s.at(-1)!.toFixed(1).padStart(7)} ms`;
  console.log(`Alertmanager webhook latency, ${CONCURRENT} concurrent POSTs per wave, same run (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs):`);
  console.log(row('baseline: bare node:http 200', base));
  console.log(row('bot: wave 1 (each starts a diagnosis)', first));
  console.log(row('bot: wave 2 (while wave 1 diagnoses)', second));
  console.log(`${diagnoses} diagnoses posted; both waves answered in ${(waves / 1000).toFixed(1)} s, all work done ${(allDoneMs / 1000).toFixed(1)} s after wave 1 started`);
  const p99 = Math.max(quantile(first, 0.99), quantile(second, 0.99));
  console.log(`webhook p99 ${p99.toFixed(1)} ms vs target < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'PASS' : 'MISS'}; over the bare baseline's p99: +${(p99 - quantile(base, 0.99)).toFixed(1)} ms`);
} finally {
  client.stdin.end();
  baseline.close();
  await bot.stop();
  await slack.close();
  await redis.stop();
}
