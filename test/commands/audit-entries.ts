import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { redisStreamStore } from '../../src/adapters/state/redis-stream-store.js';
import { createAudit } from '../../src/remediation/audit.js';
import type { Change } from '../../src/remediation/changes.js';
import { captureLogs } from '../chat/slack/log-capture.js';

export const REQUESTER = 'U0SRE';
export const APPROVER = 'U0SRE2';
export const CHANNEL = 'C0INCIDENT';
export const NODE = '10.0.0.5:6379';

/** A set-eviction-policy as the flow records it: the Redis setting and the one line of redis.conf. */
export const CHANGES: Change[] = [
  { kind: 'redis-config', node: NODE, parameter: 'maxmemory-policy', before: 'allkeys-lru', after: 'volatile-lru' },
  {
    kind: 'configmap',
    namespace: 'langgraph-agent',
    name: 'redis-session-config',
    key: 'redis.conf',
    before: 'maxmemory 2gb\nmaxmemory-policy allkeys-lru\nappendonly yes\n',
    after: 'maxmemory 2gb\nmaxmemory-policy volatile-lru\nappendonly yes\n',
    diff: [
      '@@ redis.conf line 2 @@',
      ' maxmemory 2gb',
      '-maxmemory-policy allkeys-lru',
      '+maxmemory-policy volatile-lru',
      ' appendonly yes',
    ],
    resourceVersion: '41',
  },
];

/**
 * Records, in the state Redis's audit stream of `env`, what the remediation flow records for a request
 * that a second person approved and that was applied: request (REQUESTER), approval and apply (APPROVER).
 */
export async function recordAppliedRequest(redis: Redis, env: string): Promise<void> {
  let at = Date.UTC(2026, 11, 5, 10, 40);
  const audit = createAudit({
    streams: redisStreamStore(redis),
    logger: captureLogs('info').logger,
    registry: new Registry(),
    now: () => (at += 60_000),
    environments: [env],
  });
  const base = { env, action: 'set-eviction-policy', pendingId: 'p-1', channelId: CHANNEL, dryRun: false };
  await audit.record({
    ...base,
    event: 'request',
    actor: { userId: REQUESTER },
    params: { policy: 'volatile-lru' },
    changes: CHANGES,
    result: '1 approval(s) required',
  });
  await audit.record({ ...base, event: 'approval', actor: { userId: APPROVER }, result: '1 of 1' });
  await audit.record({
    ...base,
    event: 'apply',
    actor: { userId: APPROVER },
    changes: CHANGES,
    result: 'applied 2 change(s)',
  });
}
