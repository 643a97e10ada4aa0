/**
 * `npm run bench:webhook`: how fast `POST /alertmanager` answers when 200 notifications arrive at once and
 * each starts a diagnosis (200 environments on one Redis with 20,000 sessions, so no cooldown joins them),
 * next to a bare node:http server answering the same POSTs, measured the same way and interleaved with it.
 * A second wave of 200 arrives while the first wave's diagnoses run. Target: p99 < 100 ms whatever the
 * diagnoses behind it do, and every request later gets its message in Slack.
 *
 * Fairness: the client (bench/webhook-client.ts: pre-opened keep-alive connections, raw HTTP/1.1 bytes) and
 * the fake Slack Web API (bench/fake-slack-process.ts) each run in a process of their own, so neither the
 * load generator nor "Slack" shares the event loop of the bot being measured. The bare server runs in the
 * bot's process; it is measured once with the bot idle and once while the bot works through the waves
 * (what the work behind the webhook costs any request that shares the event loop).
 */
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createSourceCache } from '../src/app/sources.js';
import { openStateStore } from '../src/adapters/state/open-state-store.js';
import { createBot } from '../src/bot.js';
import { parseConfig } from '../src/config/config.js';
import { allChecks } from '../src/diagnostics/all-checks.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { loadCorpus } from '../test/alerts/corpus.js';
import { startLineProcess } from './line-process.js';
import { seedSessions } from './seed-sessions.js';

const CONCURRENT = Number(process.env.BENCH_WEBHOOKS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGET_P99_MS = 100;
const TOKEN = 'bench-alertmanager-token';
const CHANNEL = 'C0ALERTS';

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const firing = loadCorpus<unknown>('alertmanager').find((f) => f.name === 'firing')!.input as Record<string, any>;

function notification(env: string, group: string, alertname = 'SessionTTLViolations'): string {
  const alert = {
    ...firing.alerts[0],
    labels: { ...firing.alerts[0].labels, alertname, env },
    fingerprint: `fp-${group}`,
  };
  return JSON.stringify({
    ...firing,
    groupKey: `{}:{group="${group}"}`,
    alerts: [alert],
    commonLabels: { ...firing.commonLabels, alertname, env },
  });
}

interface SlackSummary {
  calls: { method: string; channel: string; threadTs?: string; diagnosis: boolean }[];
}

const slackProcess = startLineProcess('fake-slack-process.ts');
const { apiUrl } = (await slackProcess.first()) as { apiUrl: string };
const client = startLineProcess('webhook-client.ts');
const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
const burst = async (url: string, bodies: readonly string[]) =>
  (await client.ask({ url, headers, bodies })) as number[];

const redis = await startRedisServer();
await seedSessions({ port: redis.port, count: 20_000, ttlSeconds: 86_400, spreadSeconds: 3600, nowMs: Date.now() });
const admin = new Redis(redis.url);
const envNames = Array.from({ length: CONCURRENT }, (_, i) => `env${i}`);
const config = parseConfig(
  {
    environments: Object.fromEntries(envNames.map((n) => [n, { profile: 'development', redis: { url: redis.url } }])),
    defaults: { rateWindowMs: 0 },
    slack: { alertChannel: CHANNEL },
  },
  'bench',
);
const sources = createSourceCache({});
const state = openStateStore({ url: redis.url, logger: pino({ level: 'silent' }) });
const bot = createBot({
  settings: {
    mode: 'http',
    botToken: 'xoxb-bench',
    signingSecret: 'bench-signing-secret-0123456789ab',
    slackApiUrl: apiUrl,
    port: 0,
    logLevel: 'error',
  },
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

/** Forgets the bot's dedupe, cooldowns and incidents, so the next round's alerts start diagnoses again. */
async function forgetAlertState(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', 'session-ttl-bot:*', 'COUNT', 1000);
    cursor = next;
    if (keys.length) await admin.del(...keys);
  } while (cursor !== '0');
}

type Series = 'base' | 'intake' | 'wave1' | 'wave2' | 'baseBusy';
/** The latencies of each series, one array per round. */
const series: Record<Series, number[][]> = { base: [], intake: [], wave1: [], wave2: [], baseBusy: [] };
const lagWaves: number[] = [];
const lagWork: number[] = [];
const workSeconds: number[] = [];
const delivered: string[] = [];
let allDelivered = true;
try {
  const { port } = await bot.start();
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
  const bare = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/alertmanager`;
  const hook = `http://127.0.0.1:${port}/alertmanager`;

  // Warm-up (not measured): JIT on both servers, and the first diagnosis. The bot's 200 name an alert it does not answer.
  await burst(
    bare,
    envNames.map((e) => notification(e, `warm-${e}`)),
  );
  await burst(
    hook,
    envNames.map((e) => notification(e, `warm-${e}`, 'UnrelatedWarmUp')),
  );
  await burst(hook, [notification('env0', 'warm')]);
  await bot.idle();

  for (let round = 1; round <= ROUNDS; round++) {
    await forgetAlertState();
    await slackProcess.ask('reset');
    series.base.push(
      await burst(
        bare,
        envNames.map((e) => notification(e, `base${round}-${e}`)),
      ),
    );
    // The bot's intake alone: an alert it does not answer (parsed, validated, answered; nothing behind it).
    series.intake.push(
      await burst(
        hook,
        envNames.map((e) => notification(e, `intake${round}-${e}`, 'UnrelatedAlert')),
      ),
    );
    await bot.idle();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    // BENCH_PROFILE=file: a CPU profile of the bot process during the first round's waves (chrome://inspect).
    const profiling = process.env.BENCH_PROFILE && round === 1 ? new Session() : undefined;
    if (profiling) {
      profiling.connect();
      await profiling.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiling.post('Profiler.enable');
      await profiling.post('Profiler.start');
    }
    const t0 = performance.now();
    series.wave1.push(
      await burst(
        hook,
        envNames.map((e) => notification(e, `w1r${round}-${e}`)),
      ),
    );
    // The second wave arrives while the first wave's diagnoses run (re-fired alerts: cooldown replies).
    series.wave2.push(
      await burst(
        hook,
        envNames.map((e) => notification(e, `w2r${round}-${e}`)),
      ),
    );
    lag.disable();
    if (profiling) {
      const { profile } = await profiling.post('Profiler.stop');
      writeFileSync(process.env.BENCH_PROFILE as string, JSON.stringify(profile));
      profiling.disconnect();
    }
    lagWaves.push(lag.percentile(99) / 1e6);
    const work = monitorEventLoopDelay({ resolution: 10 });
    work.enable();
    series.baseBusy.push(
      await burst(
        bare,
        envNames.map((e) => notification(e, `busy${round}-${e}`)),
      ),
    );
    await bot.idle();
    work.disable();
    lagWork.push(work.percentile(99) / 1e6);
    workSeconds.push((performance.now() - t0) / 1000);

    // Every request gets its message: a group message in the channel with a reply in its thread
    // (a diagnosis for wave 1, a link to the running diagnosis for wave 2).
    const { calls } = (await slackProcess.ask('summary')) as SlackSummary;
    const posts = calls.filter((c) => c.method === 'chat.postMessage' && c.channel === CHANNEL);
    const groups = posts.filter((c) => c.threadTs === undefined).length;
    const answeredThreads = new Set(posts.flatMap((c) => c.threadTs ?? [])).size;
    const diagnoses = posts.filter((c) => c.threadTs !== undefined && c.diagnosis).length;
    const ok = groups === 2 * CONCURRENT && answeredThreads === 2 * CONCURRENT && diagnoses === CONCURRENT;
    allDelivered &&= ok;
    delivered.push(
      `round ${round}: ${groups}/${2 * CONCURRENT} group messages, ${answeredThreads}/${2 * CONCURRENT} with a reply in their thread, ${diagnoses}/${CONCURRENT} diagnoses`,
    );
  }

  const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
  const p99 = (xs: readonly number[]) => quantile(sorted(xs), 0.99);
  const median = (xs: readonly number[]) => quantile(sorted(xs), 0.5);
  const ms = (x: number) => x.toFixed(1).padStart(6);
  const labels: Record<Series, string> = {
    base: 'baseline: bare node:http, bot idle',
    intake: 'bot: intake only (an alert it does not answer)',
    wave1: 'bot: wave 1 (each starts a diagnosis)',
    wave2: 'bot: wave 2 (while wave 1 diagnoses)',
    baseBusy: 'bare node:http in the bot process, bot working',
  };
  console.log(
    `Alertmanager webhook latency, ${CONCURRENT} concurrent POSTs per burst, ${ROUNDS} rounds interleaved (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} CPUs)`,
  );
  console.log(
    `${'p99 per round (ms)'.padEnd(50)} ${Array.from({ length: ROUNDS }, (_, i) => `r${i + 1}`.padStart(6)).join(' ')}   median   pooled: p50    p99    max`,
  );
  for (const key of Object.keys(labels) as Series[]) {
    const all = series[key].flat();
    console.log(
      `${labels[key].padEnd(50)} ${series[key].map((r) => ms(p99(r))).join(' ')}   ${ms(median(series[key].map(p99)))}   ${ms(quantile(sorted(all), 0.5))} ${ms(p99(all))} ${ms(sorted(all).at(-1)!)}`,
    );
  }
  const worst = series.wave1.map((w1, i) => Math.max(p99(w1), p99(series.wave2[i]!)));
  const deltas = worst.map((w, i) => w - p99(series.base[i]!));
  console.log(
    `bot p99 over the same round's bare p99 (ms): ${deltas.map((d) => d.toFixed(1)).join(', ')}; median +${median(deltas).toFixed(1)} ms`,
  );
  console.log(
    `event loop delay p99 (ms): during the waves ${lagWaves.map((l) => l.toFixed(1)).join(', ')}; during the work after ${lagWork.map((l) => l.toFixed(1)).join(', ')}`,
  );
  console.log(`work after wave 1 started: ${workSeconds.map((x) => x.toFixed(1)).join(', ')} s per round`);
  for (const d of delivered) console.log(d);
  const verdict = median(worst);
  console.log(
    `webhook p99 (worse wave, median of rounds) ${verdict.toFixed(1)} ms vs target < ${TARGET_P99_MS} ms: ${verdict < TARGET_P99_MS ? 'PASS' : 'MISS'}; rounds under target: ${worst.filter((w) => w < TARGET_P99_MS).length}/${ROUNDS}; every request got its message: ${allDelivered ? 'yes' : 'NO'}`,
  );
  if (!allDelivered || verdict >= TARGET_P99_MS) process.exitCode = 1;
} finally {
  client.end();
  slackProcess.end();
  baseline.close();
  admin.disconnect();
  await bot.stop();
  await redis.stop();
}
