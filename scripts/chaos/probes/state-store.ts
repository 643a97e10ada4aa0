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
  expected: '503 at once (Alertmanager retries); its re-send posted once the store is back',
  async run() {
    const port = await freePort();
    let store = await startRedisOnPort(port);
    await store.stop();
    const state = openStateStore({ url: `redis://127.0.0.1:${port}`, logger: pino({ level: 'silent' }) });
    const retryDelaysMs = [100, 300, 1000, 2000];
    const bot = await startTestBot({ slack, config, registry, alerts: state.store, retryDelaysMs });
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
