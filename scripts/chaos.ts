/**
 * `npm run chaos`: the fault probes of issue 9 in one go, against local processes only (a real
 * redis-server per probe on loopback, the fake Slack Web API on loopback, the real bot). Prints a table
 * (fault, expected, observed, held) and, last, how many held. Bounded: each probe has a deadline, the
 * whole run stays under two minutes. Exit code 1 when a probe did not hold.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createSourceCache } from '../src/app/sources.js';
import { openStateStore } from '../src/adapters/state/open-state-store.js';
import { parseConfig, type Config } from '../src/config/config.js';
import { runDiagnosis } from '../src/diagnostics/engine.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { freePort, startRedisServer } from '../src/demo/redis-process.js';
import { startFakeSlackApi, type FakeSlackApi } from '../test/fakes/slack-api.js';
import {
  ALERTS,
  AM_TOKEN,
  canaryKeys,
  firingNotification,
  SIGNING_SECRET,
  startTestBot,
} from '../test/support/bot-harness.js';
import { FAKE_IDS } from '../test/fakes/slack-api.js';
import { sendEvent } from '../test/fakes/slack-signing.js';
import { startLineProcess } from '../bench/line-process.js';
import { heldCheck, serverInfoCheck, startRedisOnPort } from '../test/reliability/fixtures.js';
import { eventually } from '../test/support/eventually.js';

interface Probe {
  fault: string;
  expected: string;
  run(): Promise<{ held: boolean; observed: string }>;
}

const PROBE_DEADLINE_MS = 30_000;
const INCIDENT = 'C0INCIDENT';
const json = (b: unknown) => JSON.stringify(b);
const slack: FakeSlackApi = await startFakeSlackApi();
const redis = await startRedisServer();
const admin = new Redis(redis.url);
const configFor = (url: string): Config =>
  parseConfig(
    {
      environments: { dev: { profile: 'development', redis: { url, connectTimeoutMs: 500 } } },
      defaults: { rateWindowMs: 0 },
      slack: { alertChannel: ALERTS, incidentChannels: [INCIDENT] },
    },
    'chaos',
  );
const config = configFor(redis.url);
const registry = createCheckRegistry([serverInfoCheck]);

const probes: Probe[] = [
  {
    fault: 'Redis restarted between two diagnoses',
    expected: 'outage: redis.unreachable < 3 s; after: the check runs',
    async run() {
      const port = await freePort();
      let server = await startRedisOnPort(port);
      const sources = createSourceCache({});
      const deps = { config: configFor(server.url), registry, sourcesFor: sources.sourcesFor };
      const diagnose = () => runDiagnosis(deps, { envName: 'dev', checkIds: ['server-info'] });
      try {
        await diagnose();
        await server.stop();
        const t0 = Date.now();
        const during = await diagnose();
        const outageMs = Date.now() - t0;
        server = await startRedisOnPort(port);
        const after = await diagnose();
        const unreachable = during.findings.some((f) => f.id === 'redis.unreachable');
        return {
          held: unreachable && outageMs < 3000 && after.checks[0]?.status === 'findings',
          observed: `outage: ${unreachable ? 'redis.unreachable' : 'no finding'} in ${outageMs} ms; after: ${after.checks[0]?.status}`,
        };
      } finally {
        await sources.close();
        await server.stop();
      }
    },
  },
  {
    fault: 'SIGTERM during a slash diagnosis past the grace',
    expected: '"interrupted by a restart" + the command; nothing else',
    async run() {
      const held = heldCheck();
      const bot = await startTestBot({
        slack,
        config,
        registry: createCheckRegistry([held.check]),
        extra: { graceMs: 200, lastWordsMs: 300 },
      });
      await bot.slash('diagnose dev held', 'chaos-cut');
      await held.entered.promise;
      await bot.bot.stop();
      const told = await slack.waitForResponse((r) => r.id === 'chaos-cut');
      held.release.resolve();
      const text = String(told.body.text);
      return {
        held: text.includes('interrupted by a restart') && text.includes('/session-ttl diagnose dev held'),
        observed: text.slice(0, 70),
      };
    },
  },
  {
    fault: 'SIGTERM during a slash diagnosis within the grace',
    expected: 'the report is posted',
    async run() {
      const held = heldCheck();
      const bot = await startTestBot({
        slack,
        config,
        registry: createCheckRegistry([held.check]),
        extra: { graceMs: 5000 },
      });
      await bot.slash('diagnose dev held', 'chaos-ok', 'CGRACE');
      await held.entered.promise;
      const stopping = bot.bot.stop();
      held.release.resolve();
      const { drained } = await stopping;
      const post = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'CGRACE');
      return {
        held: drained && json(post.body).includes('Held check finished'),
        observed: `drained ${drained}; report posted`,
      };
    },
  },
  {
    fault: 'SIGTERM during verify (bot)',
    expected: 'canary removed; message finished',
    async run() {
      const cfg = parseConfig(
        { environments: { dev: { profile: 'development', redis: { url: redis.url }, verify: { waitSeconds: 60 } } } },
        'chaos',
      );
      const bot = await startTestBot({
        slack,
        config: cfg,
        registry,
        extra: { graceMs: 200, lastWordsMs: 3000 },
      });
      await bot.slash('verify dev', 'chaos-verify', 'CVERIFY');
      const waiting = await slack.waitFor('chat.update', (c) => c.body.channel === 'CVERIFY');
      const before = (await canaryKeys(admin)).length;
      await bot.bot.stop();
      const after = (await canaryKeys(admin)).length;
      const last = slack
        .callsOf('chat.update')
        .filter((c) => c.body.ts === waiting.body.ts)
        .at(-1);
      const finished = json(last?.body).includes('interrupted');
      return {
        held: before === 1 && after === 0 && finished,
        observed: `canaries ${before} -> ${after}; message ${finished ? 'finished' : 'left in progress'}`,
      };
    },
  },
  {
    fault: 'Slack 500 on every try of an alert',
    expected: "Alertmanager's re-send is answered",
    async run() {
      const bot = await startTestBot({ slack, config, registry, retryDelaysMs: [20, 20] });
      try {
        slack.failMethodHttp('chat.postMessage', 500);
        const n = firingNotification('dev', 'chaos-500');
        await bot.alertmanager(n);
        await eventually('the retries to end', () =>
          bot.logs.lines.find((l) => l.msg.startsWith('gave up on a job (alertmanager-notification)')),
        );
        slack.failMethod('chat.postMessage', 'none', 0);
        await bot.alertmanager(n);
        const reply = await slack.waitFor(
          'chat.postMessage',
          (c) => c.body.channel === ALERTS && c.body.thread_ts !== undefined && json(c.body).includes('Redis server'),
        );
        return { held: reply !== undefined, observed: 're-send posted the group and the diagnosis' };
      } finally {
        await bot.bot.stop();
      }
    },
  },
  {
    fault: 'State store down when an alert arrives',
    expected: '503 at once (Alertmanager retries); its re-send posted once the store is back',
    async run() {
      const port = await freePort();
      let store = await startRedisOnPort(port);
      await store.stop();
      const state = openStateStore({ url: `redis://127.0.0.1:${port}`, logger: pino({ level: 'silent' }) });
      const bot = await startTestBot({
        slack,
        config,
        registry,
        alerts: state.store,
        retryDelaysMs: [100, 300, 1000, 2000],
      });
      try {
        const n = firingNotification('dev', 'chaos-store');
        const answer = await bot.alertmanager(n);
        store = await startRedisOnPort(port);
        await eventually('the state store to answer', async () => (await state.ping()).ok);
        const resend = await bot.alertmanager(n);
        await slack.waitFor(
          'chat.postMessage',
          (c) => c.body.channel === ALERTS && c.body.thread_ts !== undefined && json(c.body).includes('Redis server'),
          8000,
        );
        return {
          held: answer.status === 503 && answer.latencyMs < 2000 && resend.status === 200,
          observed: `webhook ${answer.status} in ${answer.latencyMs.toFixed(0)} ms; the re-send ${resend.status}, posted`,
        };
      } finally {
        await bot.bot.stop();
        await state.close();
        await store.stop();
      }
    },
  },
  {
    fault: 'chat.postMessage 500 (2 calls) for a slash report',
    expected: 'response_url at once; the channel once, later',
    async run() {
      const bot = await startTestBot({
        slack,
        config,
        registry,
        extra: { outbox: { delaysMs: [200, 200], pollMs: 20 } },
      });
      try {
        slack.failMethodHttp('chat.postMessage', 500, 2);
        await bot.slash('diagnose dev server-info', 'chaos-fallback', 'CFALLBACK');
        const reply = await slack.waitForResponse((r) => r.id === 'chaos-fallback');
        const now = json(reply.body.blocks).includes('finding:fixture.server_info');
        await eventually(
          'the outbox to post the report',
          () => bot.logs.lines.find((l) => l.msg === 'posted a message that Slack had refused earlier'),
          { timeoutMs: 10_000 },
        );
        await new Promise((r) => setTimeout(r, 300));
        const landed = slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CFALLBACK').length - 2;
        return {
          held: now && landed === 1,
          observed: `response_url: ${now ? 'report' : 'no report'}; channel: ${landed} post(s) after Slack came back`,
        };
      } finally {
        await bot.bot.stop();
      }
    },
  },
  {
    fault: 'Slack 500 (3 calls) replying to an alert post',
    expected: 'one diagnosis in the thread once Slack is back',
    async run() {
      const bot = await startTestBot({
        slack,
        config,
        registry,
        extra: { outbox: { delaysMs: [200, 200, 200], pollMs: 20 } },
      });
      try {
        slack.failMethodHttp('chat.postMessage', 500, 3);
        const ts = `${Math.floor(Date.now() / 1000)}.000100`;
        const event = {
          type: 'message',
          subtype: 'bot_message',
          bot_id: 'B0ALERTMGR',
          channel: INCIDENT,
          ts,
          text: 'Alert: SessionTTLViolations\nLabels: env=dev',
        };
        const envelope = {
          token: 'x',
          team_id: FAKE_IDS.team,
          api_app_id: 'A0APP',
          type: 'event_callback',
          event_id: 'EvChaosOutbox',
          event_time: Math.floor(Date.now() / 1000),
          event,
        };
        const acked = await sendEvent(bot.url, envelope, { signingSecret: SIGNING_SECRET });
        await eventually(
          'the outbox to post the diagnosis',
          () => bot.logs.lines.find((l) => l.msg === 'posted a message that Slack had refused earlier'),
          { timeoutMs: 10_000 },
        );
        await new Promise((r) => setTimeout(r, 300));
        const tries = slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts);
        const landed = tries.length - 3;
        const diagnosis = json(tries.at(-1)?.body).includes('Redis server');
        return {
          held: acked.status === 200 && landed === 1 && diagnosis,
          observed: `${tries.length - landed} refused, ${landed} landed (${diagnosis ? 'the diagnosis' : 'not the diagnosis'})`,
        };
      } finally {
        await bot.bot.stop();
      }
    },
  },
  {
    fault: 'invalid_blocks for a slash report',
    expected: 'a smaller rendering is posted',
    async run() {
      const bot = await startTestBot({ slack, config, registry });
      try {
        slack.failMethod('chat.postMessage', 'invalid_blocks', 1);
        await bot.slash('diagnose dev server-info', 'chaos-blocks', 'CBLOCKS');
        const posted = await slack.waitFor(
          'chat.postMessage',
          (c) => c.body.channel === 'CBLOCKS' && slack.callsOf('chat.postMessage').indexOf(c) === 1,
        );
        const n = (posted.body.blocks as unknown[] | undefined)?.length ?? 0;
        return { held: n > 0 && n <= 12, observed: `second post with ${n} blocks` };
      } finally {
        await bot.bot.stop();
      }
    },
  },
  {
    fault: 'State store unreachable: /readyz',
    expected: '503 naming the state store',
    async run() {
      const port = await freePort();
      const state = openStateStore({ url: `redis://127.0.0.1:${port}`, logger: pino({ level: 'silent' }) });
      const bot = await startTestBot({
        slack,
        config,
        registry,
        extra: { readiness: { 'state-store': () => state.ping(300) } },
      });
      try {
        const res = await fetch(`${bot.url}/readyz`);
        const body = (await res.json()) as { checks: Record<string, { ok: boolean }> };
        return {
          held: res.status === 503 && body.checks['state-store']?.ok === false,
          observed: `${res.status}; state-store ok=${body.checks['state-store']?.ok}`,
        };
      } finally {
        await bot.bot.stop();
        await state.close();
      }
    },
  },
  {
    fault: '200 concurrent webhooks starting diagnoses',
    expected: 'p99 < 100 ms; every one answered in Slack',
    async run() {
      const n = 200;
      const envs = Array.from({ length: n }, (_, i) => `e${i}`);
      const cfg = parseConfig(
        {
          environments: Object.fromEntries(envs.map((e) => [e, { profile: 'development', redis: { url: redis.url } }])),
          defaults: { rateWindowMs: 0 },
          slack: { alertChannel: ALERTS },
        },
        'chaos',
      );
      const bot = await startTestBot({ slack, config: cfg, registry });
      // The client in a process of its own (keep-alive connections, raw HTTP): the bot's event loop serves only the bot.
      const client = startLineProcess('webhook-client.ts');
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
      });
      const bare = { server, listen: () => new Promise<void>((r) => server.listen(0, '127.0.0.1', r)) };
      try {
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}` };
        // Warm-up (JIT, connections): notifications of an alert the bot does not answer.
        const unrelated = (e: string) => {
          const body = firingNotification(e, `warm-${e}`);
          return json({
            ...body,
            alerts: [{ ...body.alerts[0], labels: { alertname: 'UnrelatedWarmUp', env: e } }],
            commonLabels: { env: e },
          });
        };
        await client.ask({ url: `${bot.url}/alertmanager`, headers, bodies: envs.map(unrelated) });
        // The same burst to a bare node:http server just before: what the machine allows right now.
        await bare.listen();
        const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/alertmanager`;
        await client.ask({ url: bareUrl, headers, bodies: envs.map(unrelated) });
        const base = (
          (await client.ask({
            url: bareUrl,
            headers,
            bodies: envs.map((e) => json(firingNotification(e, `bare-${e}`))),
          })) as number[]
        ).sort((a, b) => a - b);
        const times = (
          (await client.ask({
            url: `${bot.url}/alertmanager`,
            headers,
            bodies: envs.map((e) => json(firingNotification(e, `load-${e}`))),
          })) as number[]
        ).sort((a, b) => a - b);
        const p99 = times[Math.floor(n * 0.99)]!;
        await bot.bot.idle();
        const answered = new Set(
          slack
            .callsOf('chat.postMessage')
            .flatMap((c) => (c.body.channel === ALERTS && c.body.thread_ts ? [c.body.thread_ts] : [])),
        ).size;
        return {
          held: p99 < 100 && answered === n,
          observed: `p99 ${p99.toFixed(0)} ms (bare server ${base[Math.floor(n * 0.99)]!.toFixed(0)} ms); ${answered}/${n} answered`,
        };
      } finally {
        bare.server.close();
        client.end();
        await bot.bot.stop();
      }
    },
  },
];

const rows: { fault: string; expected: string; observed: string; held: boolean }[] = [];
const started = Date.now();
try {
  for (const p of probes) {
    slack.reset();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${PROBE_DEADLINE_MS} ms`)), PROBE_DEADLINE_MS);
    });
    try {
      rows.push({ fault: p.fault, expected: p.expected, ...(await Promise.race([p.run(), deadline])) });
    } catch (err) {
      rows.push({
        fault: p.fault,
        expected: p.expected,
        observed: `probe failed: ${(err as Error).message}`.slice(0, 90),
        held: false,
      });
    } finally {
      clearTimeout(timer);
    }
  }
} finally {
  admin.disconnect();
  await redis.stop();
  await slack.close();
}
const w = (k: 'fault' | 'expected' | 'observed') => Math.max(k.length, ...rows.map((r) => r[k].length));
const line = (f: string, e: string, o: string, h: string) =>
  `${f.padEnd(w('fault'))}  ${e.padEnd(w('expected'))}  ${o.padEnd(w('observed'))}  ${h}`;
console.log(line('fault', 'expected', 'observed', 'held'));
for (const r of rows) console.log(line(r.fault, r.expected, r.observed, r.held ? 'yes' : 'NO'));
const held = rows.filter((r) => r.held).length;
console.log(`${held}/${rows.length} faults held (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exitCode = held === rows.length ? 0 : 1;
