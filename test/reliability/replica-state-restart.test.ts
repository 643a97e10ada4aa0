import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { ALERTS, AM_TOKEN, firingNotification, peerCopy } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { startReplicaSet, type ReplicaSet } from '../support/replica-set.js';
import { alertReplicaConfig, deliverAsAlertmanager, isAlertDiagnosis } from '../support/replica-traffic.js';

// Issue 19: the state Redis (STATE_REDIS_URL, with its append-only file, as a StatefulSet runs it) restarted
// while notifications arrive at three replica processes. While it is down the webhook answers 503 and
// Alertmanager sends again; what was accepted before is in the file and is worked once it is back. No
// replica exits, every group is posted once with one diagnosis.

const COUNT = 30;
const RATE = 5;
const DOWN_MS = 3000;

let target: RedisServerHandle;
let state: RedisServerHandle;
let slack: FakeSlackApi;
let set: ReplicaSet;
let statePort: number;
const stateDir = mkdtempSync(join(tmpdir(), 'state-redis-'));
const envs = Array.from({ length: COUNT }, (_, i) => `s${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The state Redis with its append-only file in `stateDir`, on `statePort` (the same after a restart). */
const startState = () =>
  startRedisServer(['--port', String(statePort), '--appendonly', 'yes', '--appendfsync', 'always', '--dir', stateDir]);

beforeAll(async () => {
  statePort = await freePort();
  [target, state] = await Promise.all([startRedisServer(), startState()]);
  slack = await startFakeSlackApi();
  slack.setLatency('chat.postMessage', 200);
  set = await startReplicaSet({
    config: alertReplicaConfig(envs, target.url),
    slackApiUrl: slack.apiUrl,
    stateRedisUrl: `redis://127.0.0.1:${statePort}`,
    env: { ALERTMANAGER_TOKEN: AM_TOKEN },
  });
}, 400_000);

afterAll(async () => {
  await set?.stop();
  await slack?.close();
  await Promise.all([target?.stop(), state?.stop()]);
});

describe('the state Redis restarted under load (issue 19)', () => {
  it(
    `answers 503 while it is down, then posts each of ${COUNT} groups once; no replica exits`,
    { timeout: 300_000 },
    async () => {
      const statuses: number[] = [];
      const sends: Promise<number>[] = [];
      let restarted: Promise<void> | undefined;
      for (let g = 0; g < COUNT; g++) {
        const n = firingNotification(envs[g]!, `st${g}`);
        sends.push(deliverAsAlertmanager(set, n, g % 3, AM_TOKEN, statuses));
        sends.push(deliverAsAlertmanager(set, peerCopy(n, 2), (g + 1) % 3, AM_TOKEN, statuses));
        // A third of the way in, the state Redis goes down (SIGTERM: it syncs its file) and comes back.
        if (g === Math.floor(COUNT / 3))
          restarted = (async () => {
            await state.stop();
            await sleep(DOWN_MS);
            state = await startState();
          })();
        await sleep(1000 / RATE);
      }
      await restarted;
      await Promise.all(sends);

      const groups = () =>
        slack.callsOf('chat.postMessage').filter((c) => c.body.channel === ALERTS && !c.body.thread_ts);
      const diagnoses = () => slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts && isAlertDiagnosis(c));
      await eventually(`${COUNT} groups and diagnoses`, () => groups().length >= COUNT && diagnoses().length >= COUNT, {
        timeoutMs: 120_000,
        intervalMs: 500,
        detail: () => `${groups().length} groups, ${diagnoses().length} diagnoses`,
      });
      await sleep(3000);
      console.log(
        `state Redis restart: ${COUNT} notifications (x2), answers ${JSON.stringify(countBy(statuses))}, ` +
          `${groups().length} group posts, ${diagnoses().length} diagnoses`,
      );
      // While it was down the webhook said so (503) rather than taking what it could not keep.
      expect(statuses).toContain(503);
      expect(groups()).toHaveLength(COUNT);
      expect(diagnoses()).toHaveLength(COUNT);
      expect(new Set(diagnoses().map((c) => c.body.thread_ts)).size).toBe(COUNT);
      // No replica died of it.
      for (const r of set.replicas) expect(r.child.exitCode).toBeNull();
      for (const url of set.urls())
        await eventually(`${url} ready again`, async () => (await fetch(`${url}/readyz`)).status === 200, {
          timeoutMs: 30_000,
        });
    },
  );
});

function countBy(values: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
