import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi, type SlackApiCall } from '../fakes/slack-api.js';
import { ALERTS, AM_TOKEN, firingNotification, peerCopy } from '../support/bot-harness.js';
import { eventually } from '../support/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { startReplicaSet, type ReplicaSet } from '../support/replica-set.js';
import { alertReplicaConfig, deliverAsAlertmanager, isAlertDiagnosis } from '../support/replica-traffic.js';

// Issue 19, acceptance: three replica processes; every Alertmanager notification is sent to two of them (as
// the two Alertmanagers of an HA pair do) while one replica is SIGKILLed every few seconds and restarted.
// Every group must be posted exactly once and get exactly one diagnosis in its thread: none lost (a replica
// killed after its 200), none twice (a copy, a take-over). REPLICA_NOTIFICATIONS=200 and
// REPLICA_KILL_EVERY_MS=10000 run the figures; the suite runs fewer, killing more often.

const COUNT = Number(process.env.REPLICA_NOTIFICATIONS ?? 60);
const KILL_EVERY_MS = Number(process.env.REPLICA_KILL_EVERY_MS ?? 3000);
/** Notifications sent per second (both copies of one count once). */
const RATE = Number(process.env.REPLICA_NOTIFICATION_RATE ?? 5);

let target: RedisServerHandle;
let state: RedisServerHandle;
let slack: FakeSlackApi;
let set: ReplicaSet;
const envs = Array.from({ length: COUNT }, (_, i) => `e${i}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  [target, state] = await Promise.all([startRedisServer(), startRedisServer()]);
  slack = await startFakeSlackApi();
  // Slack's own time for a post: a replica killed meanwhile dies with posts in flight, as in production.
  slack.setLatency('chat.postMessage', 400);
  set = await startReplicaSet({
    config: alertReplicaConfig(envs, target.url),
    slackApiUrl: slack.apiUrl,
    stateRedisUrl: state.url,
    env: { ALERTMANAGER_TOKEN: AM_TOKEN },
  });
}, 400_000);

afterAll(async () => {
  await set?.stop();
  await slack?.close();
  await Promise.all([target?.stop(), state?.stop()]);
});

describe('notifications to a Deployment of three while replicas are SIGKILLed (issue 19 acceptance)', () => {
  it(
    `posts each of ${COUNT} groups once, with one diagnosis each, none lost, none twice`,
    { timeout: 600_000 },
    async () => {
      const accepted = new Map<string, number>();
      const killedAt: number[] = [];
      let sending = true;
      // One replica SIGKILLed every KILL_EVERY_MS and started again at once (the Deployment's restart).
      const killer = (async () => {
        for (let k = 0; sending; k++) {
          await sleep(KILL_EVERY_MS);
          if (!sending) break;
          const i = k % 3;
          await set.kill(i);
          killedAt.push(Date.now());
          await set.restart(i);
        }
      })();
      const sends: Promise<void>[] = [];
      for (let g = 0; g < COUNT; g++) {
        const n = firingNotification(envs[g]!, `acc${g}`);
        const key = envs[g]!;
        sends.push(
          Promise.all([
            deliverAsAlertmanager(set, n, g % 3),
            deliverAsAlertmanager(set, peerCopy(n, 1 + (g % 5)), (g + 1) % 3),
          ]).then(([a, b]) => {
            accepted.set(key, Math.min(a, b));
          }),
        );
        await sleep(1000 / RATE);
      }
      await Promise.all(sends);
      sending = false;
      await killer;

      const groups = () =>
        slack.callsOf('chat.postMessage').filter((c) => c.body.channel === ALERTS && !c.body.thread_ts);
      const diagnoses = () => slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts && isAlertDiagnosis(c));
      await eventually(
        `${COUNT} groups and ${COUNT} diagnoses`,
        () => groups().length >= COUNT && diagnoses().length >= COUNT,
        {
          timeoutMs: 180_000,
          intervalMs: 500,
          detail: () => `${groups().length} groups, ${diagnoses().length} diagnoses posted`,
        },
      );
      // Anything posted twice would come within the time a take-over takes; wait for one lease more.
      await sleep(5_000);
      const posted = groups();
      const threads = new Map<string, number>();
      for (const d of diagnoses())
        threads.set(String(d.body.thread_ts), (threads.get(String(d.body.thread_ts)) ?? 0) + 1);
      // Each group fires in an environment of its own, which its message names.
      const envOf = (c: SlackApiCall) => /\b(e\d+)\b/.exec(JSON.stringify(c.body))?.[1] ?? '?';
      const groupEnvs = new Set(posted.map(envOf));
      const delayOf = (c: SlackApiCall) => c.at - (accepted.get(envOf(c)) ?? c.at);
      const delays = posted.map(delayOf).sort((a, b) => a - b);
      const diagnosisDelays = diagnoses()
        .map(delayOf)
        .sort((a, b) => a - b);
      console.log(
        `replica notifications: ${COUNT} sent (each to two replicas), ${killedAt.length} SIGKILLs, ` +
          `${posted.length} group posts, ${diagnoses().length} diagnoses, ` +
          `${posted.length - groupEnvs.size} duplicate groups, ${COUNT - groupEnvs.size} lost, ` +
          `${[...threads.values()].filter((n) => n > 1).length} threads with two diagnoses; 200 -> group post ` +
          `p50 ${delays[Math.floor(delays.length / 2)]} ms, max ${delays.at(-1)} ms; 200 -> diagnosis ` +
          `p50 ${diagnosisDelays[Math.floor(diagnosisDelays.length / 2)]} ms, max ${diagnosisDelays.at(-1)} ms`,
      );
      expect(groupEnvs.size).toBe(COUNT);
      expect(posted).toHaveLength(COUNT);
      expect(diagnoses()).toHaveLength(COUNT);
      expect([...threads.values()].every((n) => n === 1)).toBe(true);
      expect(threads.size).toBe(COUNT);
      expect(killedAt.length).toBeGreaterThan(0);
    },
  );
});
