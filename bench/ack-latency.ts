/**
 * `npm run bench:ack`: how fast the real Bolt app acknowledges signed `/session-ttl diagnose dev` commands
 * with 50 in flight at all times, next to a bare node:http server answering the same signed POSTs,
 * measured the same way and interleaved with it. Target: p99 < 100 ms, and every command later gets its
 * report in the channel (counted in the fake Slack's posts).
 *
 * As in bench/webhook-latency.ts, the client (bench/webhook-client.ts: keep-alive connections, raw HTTP/1.1)
 * and the fake Slack Web API (bench/fake-slack-process.ts) run in processes of their own. `help` (no work
 * after the ack) separates the cost of Bolt's ack path from the diagnoses running behind it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { parseConfig } from '../src/config/config.js';
import { allChecks } from '../src/diagnostics/all-checks.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { createBot } from '../src/bot.js';
import { createSourceCache } from '../src/app/sources.js';
import { signSlackRequest, slashCommandBody } from '../test/fakes/slack-signing.js';
import { startLineProcess } from './line-process.js';
import { seedSessions } from './seed-sessions.js';

const REQUESTS = Number(process.env.BENCH_ACK_REQUESTS ?? 200);
const IN_FLIGHT = Number(process.env.BENCH_ACK_IN_FLIGHT ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECRET = 'bench-signing-secret-0123456789ab';
const TARGET_MS = 100;

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

const slackProcess = startLineProcess('fake-slack-process.ts');
const { apiUrl, responseBase } = (await slackProcess.first()) as { apiUrl: string; responseBase: string };
const client = startLineProcess('webhook-client.ts');

/** `n` signed slash commands; each in a channel of its own, so each report can be counted. */
function commands(text: string, tag: string, n: number) {
  const ts = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => {
    const body = slashCommandBody({ text, channel_id: `C${tag}${i}`, response_url: `${responseBase}${tag}-${i}` });
    return {
      body,
      headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SECRET, ts, body) },
    };
  });
}
const burst = async (url: string, bodies: ReturnType<typeof commands>) =>
  (await client.ask({
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    bodies,
    concurrency: IN_FLIGHT,
  })) as number[];

const redis = await startRedisServer();
await seedSessions({ port: redis.port, count: 20_000, ttlSeconds: 86_400, spreadSeconds: 3600, nowMs: Date.now() });
const sources = createSourceCache({});
const config = parseConfig(
  { environments: { dev: { profile: 'development', redis: { url: redis.url } } }, defaults: { rateWindowMs: 0 } },
  'bench',
);
const bot = createBot({
  settings: {
    mode: 'http',
    botToken: 'xoxb-bench',
    signingSecret: SECRET,
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
  onClose: [sources.close],
});
const baseline = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"response_type":"ephemeral","text":"ok"}');
  });
});

type Series = 'bare' | 'help' | 'diagnose';
/** The latencies of each series, one array per round. */
const series: Record<Series, number[][]> = { bare: [], help: [], diagnose: [] };
const lags: number[] = [];
const delivered: string[] = [];
let allDelivered = true;
try {
  const { port } = await bot.start();
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
  const bare = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/slack/events`;
  const events = `http://127.0.0.1:${port}/slack/events`;

  // Warm-up, not measured.
  await burst(bare, commands('help', 'warmb', IN_FLIGHT));
  await burst(events, commands('help', 'warmh', IN_FLIGHT));
  await burst(events, commands('diagnose dev', 'warmd', 1));
  await bot.idle();

  for (let round = 1; round <= ROUNDS; round++) {
    await slackProcess.ask('reset');
    series.bare.push(await burst(bare, commands('diagnose dev', `b${round}x`, REQUESTS)));
    series.help.push(await burst(events, commands('help', `h${round}x`, REQUESTS)));
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    // BENCH_PROFILE=file: a CPU profile of the bot process during the first round's diagnose burst.
    const profiling = process.env.BENCH_PROFILE && round === 1 ? new Session() : undefined;
    if (profiling) {
      profiling.connect();
      await profiling.post('Profiler.enable');
      await profiling.post('Profiler.start');
    }
    series.diagnose.push(await burst(events, commands('diagnose dev', `d${round}x`, REQUESTS)));
    lag.disable();
    if (profiling) {
      const { profile } = await profiling.post('Profiler.stop');
      writeFileSync(process.env.BENCH_PROFILE as string, JSON.stringify(profile));
      profiling.disconnect();
    }
    lags.push(lag.percentile(99) / 1e6);
    await bot.idle();
    const { calls } = (await slackProcess.ask('summary')) as {
      calls: { method: string; channel: string; diagnosis: boolean }[];
    };
    const reports = new Set(
      calls
        .filter((c) => c.method === 'chat.postMessage' && c.diagnosis && c.channel.startsWith(`Cd${round}x`))
        .map((c) => c.channel),
    ).size;
    allDelivered &&= reports === REQUESTS;
    delivered.push(`round ${round}: ${reports}/${REQUESTS} diagnose commands got their report in their channel`);
  }

  const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
  const p99 = (xs: readonly number[]) => quantile(sorted(xs), 0.99);
  const median = (xs: readonly number[]) => quantile(sorted(xs), 0.5);
  const ms = (x: number) => x.toFixed(1).padStart(6);
  const labels: Record<Series, string> = {
    bare: 'baseline: bare node:http',
    help: 'bot: /session-ttl help (no work after)',
    diagnose: 'bot: /session-ttl diagnose dev',
  };
  console.log(
    `Slash-command ack latency, ${REQUESTS} signed requests per burst with ${IN_FLIGHT} in flight, ${ROUNDS} rounds interleaved (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} CPUs)`,
  );
  console.log(
    `${'p99 per round (ms)'.padEnd(40)} ${Array.from({ length: ROUNDS }, (_, i) => `r${i + 1}`.padStart(6)).join(' ')}   median   pooled: p50    p99    max`,
  );
  for (const key of Object.keys(labels) as Series[]) {
    const all = series[key].flat();
    console.log(
      `${labels[key].padEnd(40)} ${series[key].map((r) => ms(p99(r))).join(' ')}   ${ms(median(series[key].map(p99)))}   ${ms(quantile(sorted(all), 0.5))} ${ms(p99(all))} ${ms(sorted(all).at(-1)!)}`,
    );
  }
  const deltas = series.diagnose.map((d, i) => p99(d) - p99(series.bare[i]!));
  console.log(
    `diagnose p99 over the same round's bare p99 (ms): ${deltas.map((d) => d.toFixed(1)).join(', ')}; median +${median(deltas).toFixed(1)} ms`,
  );
  console.log(`event loop delay p99 during the diagnose bursts: ${lags.map((l) => l.toFixed(1)).join(', ')} ms`);
  for (const d of delivered) console.log(d);
  const verdict = median(series.diagnose.map(p99));
  console.log(
    `diagnose ack p99 (median of rounds) ${verdict.toFixed(1)} ms vs target < ${TARGET_MS} ms at ${IN_FLIGHT} in flight: ${verdict < TARGET_MS ? 'PASS' : 'MISS'}; rounds under target: ${series.diagnose.filter((d) => p99(d) < TARGET_MS).length}/${ROUNDS}; every command got its report: ${allDelivered ? 'yes' : 'NO'}`,
  );
  if (!allDelivered || verdict >= TARGET_MS) process.exitCode = 1;
} finally {
  client.end();
  slackProcess.end();
  baseline.close();
  await bot.stop();
  await redis.stop();
}
