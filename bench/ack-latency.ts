/**
 * `npm run bench:ack`: how fast the real Bolt app acknowledges a signed `/session-ttl diagnose dev`,
 * next to a bare node:http server answering the same signed POST in the same run (the baseline:
 * loopback + fetch cost with no Slack handling). The diagnosis itself runs after the ack and is
 * posted to a fake Slack Web API; only the ack is timed here.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { parseConfig } from '../src/config/config.js';
import { allChecks } from '../src/diagnostics/all-checks.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { createBot } from '../src/bot.js';
import { createSourceCache } from '../src/adapters/sources.js';
import { startFakeSlackApi } from '../test/fakes/slack-api.js';
import { sendSlashCommand } from '../test/fakes/slack-signing.js';

const REQUESTS = Number(process.env.BENCH_ACK_REQUESTS ?? 200);
const WARMUP = 20;
const SECRET = 'bench-signing-secret-0123456789ab';
const TARGET_MS = 100;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function measure(baseUrl: string, text: string, responseUrl: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const res = await sendSlashCommand(baseUrl, { text, response_url: responseUrl }, { signingSecret: SECRET });
    if (res.status !== 200) throw new Error(`request ${i} answered ${res.status}: ${res.text}`);
    if (i >= WARMUP) out.push(res.latencyMs);
  }
  return out.sort((a, b) => a - b);
}

const redis = await startRedisServer();
const slack = await startFakeSlackApi();
const sources = createSourceCache({});
const config = parseConfig(
  {
    environments: { dev: { profile: 'development', redis: { url: redis.url } } },
    defaults: { rateWindowMs: 0 },
  },
  'bench',
);
const bot = createBot({
  settings: { mode: 'http', botToken: 'xoxb-bench', signingSecret: SECRET, slackApiUrl: slack.apiUrl, port: 0, logLevel: 'error' },
  config,
  registry: createCheckRegistry(allChecks),
  sourcesFor: sources.sourcesFor,
  logger: pino({ level: 'error' }),
  hostname: '127.0.0.1',
  webApiRetries: 0,
});
const baseline = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"response_type":"ephemeral","text":"ok"}');
  });
});
try {
  const { port } = await bot.start();
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
  const basePort = (baseline.address() as AddressInfo).port;

  const bare = await measure(`http://127.0.0.1:${basePort}`, 'diagnose dev', slack.responseUrl('bench'));
  const ack = await measure(`http://127.0.0.1:${port}`, 'diagnose dev', slack.responseUrl('bench'));
  // Let the diagnoses that were started finish before measuring `help` (no work after the ack).
  await new Promise((r) => setTimeout(r, 2000));
  const help = await measure(`http://127.0.0.1:${port}`, 'help', slack.responseUrl('bench'));

  const row = (name: string, s: number[]) =>
    `${name.padEnd(34)} p50 ${quantile(s, 0.5).toFixed(2).padStart(7)} ms   p95 ${quantile(s, 0.95).toFixed(2).padStart(7)} ms   max ${s.at(-1)!.toFixed(2).padStart(7)} ms`;
  console.log(`Slash-command ack latency, ${REQUESTS} signed requests each after ${WARMUP} warm-up, same run:`);
  console.log(row('baseline: bare node:http 200', bare));
  console.log(row('bot: /session-ttl diagnose dev', ack));
  console.log(row('bot: /session-ttl help', help));
  const p95 = quantile(ack, 0.95);
  console.log(
    `diagnose ack p50 = ${(quantile(ack, 0.5) / quantile(bare, 0.5)).toFixed(1)}x baseline; p95 ${p95.toFixed(1)} ms vs target < ${TARGET_MS} ms: ${p95 < TARGET_MS ? 'PASS' : 'MISS'}`,
  );
} finally {
  baseline.close();
  await bot.stop();
  await sources.close();
  await slack.close();
  await redis.stop();
}
