import { pino } from 'pino';
import { openStateStore } from '../../../src/adapters/state/open-state-store.js';
import { freePort } from '../../../src/demo/redis-process.js';
import { ALERTS, firingNotification, startTestBot } from '../../../test/support/bot-harness.js';
import { eventually } from '../../../test/support/eventually.js';
import { startRedisOnPort } from '../../../test/reliability/fixtures.js';
import { json, type ChaosContext, type Probe } from '../probe.js';

/**
 * The state store is down when a notification arrives: answered fast, posted once it is back. (With durable
 * intake the webhook will answer 503 while the store is down: this probe changes then.)
 */
const downWhenAlertArrives = ({ slack, config, registry }: ChaosContext): Probe => ({
  fault: 'State store down when an alert arrives',
  expected: 'answered fast; posted once the store is back',
  async run() {
    const port = await freePort();
    let store = await startRedisOnPort(port);
    await store.stop();
    const state = openStateStore({ url: `redis://127.0.0.1:${port}`, logger: pino({ level: 'silent' }) });
    const retryDelaysMs = [100, 300, 1000, 2000];
    const bot = await startTestBot({ slack, config, registry, alerts: state.store, retryDelaysMs });
    try {
      const answer = await bot.alertmanager(firingNotification('dev', 'chaos-store'));
      await eventually('a failed try', () =>
        bot.logs.lines.find((l) => l.msg === 'will try the Alertmanager notification again'),
      );
      store = await startRedisOnPort(port);
      await slack.waitFor(
        'chat.postMessage',
        (c) => c.body.channel === ALERTS && c.body.thread_ts !== undefined && json(c.body).includes('Redis server'),
        8000,
      );
      return {
        held: answer.status === 200 && answer.latencyMs < 500,
        observed: `webhook ${answer.status} in ${answer.latencyMs.toFixed(0)} ms; posted after the store came back`,
      };
    } finally {
      await bot.bot.stop();
      await state.close();
      await store.stop();
    }
  },
});

/** The state store unreachable: `/readyz` says so. */
const readyz = ({ slack, config, registry }: ChaosContext): Probe => ({
  fault: 'State store unreachable: /readyz',
  expected: '503 naming the state store',
  async run() {
    const port = await freePort();
    const state = openStateStore({ url: `redis://127.0.0.1:${port}`, logger: pino({ level: 'silent' }) });
    const readiness = { 'state-store': () => state.ping(300) };
    const bot = await startTestBot({ slack, config, registry, extra: { readiness } });
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
});

export const stateStoreProbes = (ctx: ChaosContext): Probe[] => [downWhenAlertArrives(ctx), readyz(ctx)];
