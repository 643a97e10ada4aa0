import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { STATE_KEY_PREFIX } from '../../../src/core/ports/state-store.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../../test/fakes/kube-api.js';
import type { FakeSlackApi } from '../../../test/fakes/slack-api.js';
import { NS, seedCluster } from '../../../test/remediation/actions/action-harness.js';
import { CHANNEL, standardAccess } from '../../../test/remediation/slack-flow-harness.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/support/redis-server.js';
import { startReplicaSet, type ReplicaSet } from '../../../test/support/replica-set.js';
import { PROCESS_AM_TOKEN } from '../../../test/support/replica-traffic.js';

export const REPLICA_ALERTS = 'C0CHAOSALERTS';
export const REPLICA_REPORTS = 'C0CHAOSREPORTS';
export const REPLICA_INCIDENT = CHANNEL;
/** The environment whose sessions the monitor watches (its lease moves between the replicas). */
export const WATCHED = 'watched';
/** Development environments for the probes' diagnoses: each probe takes new ones (no alert cooldown between them). */
const SPARE_ENVS = Array.from({ length: 24 }, (_, i) => `chaos${String(i).padStart(2, '0')}`);

/** Three replica processes of a build of the bot over one state Redis, and what the replica probes need. */
export interface ReplicaChaos {
  set: ReplicaSet;
  slack: FakeSlackApi;
  kube: FakeKubeApi;
  /** prod's Redis (remediation target) and the watched sessions' Redis (keyspace notifications). */
  target: Redis;
  sessions: Redis;
  /** Posts waiting in the outbox (the state Redis). */
  outboxSize(): Promise<number>;
  /** A development environment no probe used yet. */
  freshEnv(): string;
  /** Restarts replica `i` (awaited by `stop` if a probe did not). */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

function replicaConfig(target: string, sessions: string, kubeconfig: string) {
  const dev = { profile: 'development', redis: { url: target }, monitor: { enabled: false } };
  return {
    environments: {
      ...Object.fromEntries(SPARE_ENVS.map((e) => [e, dev])),
      [WATCHED]: { profile: 'production', redis: { url: sessions }, monitor: { leaseSeconds: 2 } },
      prod: {
        profile: 'production',
        redis: { url: target },
        kubernetes: { kubeconfig, namespace: NS },
        monitor: { enabled: false },
      },
    },
    defaults: { rateWindowMs: 0 },
    slack: {
      alertChannel: REPLICA_ALERTS,
      incidentChannels: [REPLICA_INCIDENT],
      outbox: { delaysSeconds: [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 5, 5, 5, 5, 5, 5] },
    },
    access: standardAccess(['prod']),
  };
}

/** Starts the servers and the three replicas (one after the other; tens of seconds on a loaded machine). */
export async function startReplicaChaos(slack: FakeSlackApi): Promise<ReplicaChaos> {
  const servers: RedisServerHandle[] = await Promise.all([
    startRedisServer(),
    startRedisServer(),
    startRedisServer(['--notify-keyspace-events', 'KEg$xe']),
  ]);
  const [state, target, sessions] = servers as [RedisServerHandle, RedisServerHandle, RedisServerHandle];
  const kube = await startFakeKubeApi();
  seedCluster(kube);
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'chaos-replicas-')), 'kubeconfig.json');
  writeFileSync(kubeconfig, kube.kubeConfig().exportConfig());
  const clients = [new Redis(target.url), new Redis(sessions.url), new Redis(state.url)] as const;
  const set = await startReplicaSet({
    config: replicaConfig(target.url, sessions.url, kubeconfig),
    slackApiUrl: slack.apiUrl,
    stateRedisUrl: state.url,
    env: { ALERTMANAGER_TOKEN: PROCESS_AM_TOKEN },
  }).catch(async (err: unknown) => {
    for (const c of clients) c.disconnect();
    await kube.stop();
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  });
  const restarts: Promise<unknown>[] = [];
  let used = 0;
  return {
    set,
    slack,
    kube,
    target: clients[0],
    sessions: clients[1],
    outboxSize: () => clients[2].zcard(`${STATE_KEY_PREFIX}queue:chat-outbox`),
    freshEnv: () => SPARE_ENVS[used++ % SPARE_ENVS.length]!,
    async restart(i) {
      const p = set.restart(i);
      restarts.push(p.catch(() => undefined));
      await p;
    },
    async stop() {
      await Promise.all(restarts);
      await set.stop();
      for (const c of clients) c.disconnect();
      await kube.stop();
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
