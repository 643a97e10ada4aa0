import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStreamStore } from '../../src/adapters/state/redis-stream-store.js';
import { auditCommand } from '../../src/commands/audit.js';
import { auditView, changeLine } from '../../src/commands/audit-view.js';
import { createAudit } from '../../src/remediation/audit.js';
import { toTerminal } from '../../src/render/terminal.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { resetSharedRedis } from '../support/shared-redis.js';
import { APPROVER, CHANGES, NODE, recordAppliedRequest, REQUESTER } from './audit-entries.js';
import { recordingContext } from './recording-context.js';

let redis: Redis;
beforeAll(async () => {
  redis = await resetSharedRedis();
  await recordAppliedRequest(redis, 'prod');
});
afterAll(() => redis?.disconnect());

const recent = (env: string, n: number) =>
  createAudit({
    streams: redisStreamStore(redis),
    logger: captureLogs('info').logger,
    registry: new Registry(),
    now: Date.now,
    environments: ['prod'],
  }).recent(env, n);

describe('audit <env>: what changed, who requested, who approved', () => {
  it('shows each change before -> after and, on the apply, who requested and who approved it', async () => {
    const logs = captureLogs('info');
    const r = recordingContext('audit prod', logs.logger);
    const command = auditCommand({ remediation: { recentAudit: recent } });
    const message = await command.run(command.params.parse(['prod']), r.ctx);
    if (!message) throw new Error('audit returned no message');
    const text = toTerminal(message, { color: false });
    expect(text).toContain(
      '2026-12-05T10:43:00Z apply set-eviction-policy by @U0SRE2 in #C0INCIDENT: applied 2 change(s)\n' +
        `    maxmemory-policy on ${NODE}: allkeys-lru -> volatile-lru\n` +
        '    ConfigMap langgraph-agent/redis-session-config redis.conf: maxmemory-policy allkeys-lru -> maxmemory-policy volatile-lru\n' +
        `    requested by @${REQUESTER}, approved by @${APPROVER}`,
    );
    // The request shows what it planned; the approval is one line.
    expect(text).toContain(
      `2026-12-05T10:41:00Z request set-eviction-policy by @${REQUESTER} in #C0INCIDENT: 1 approval(s) required\n`,
    );
    expect(text).toContain(
      `2026-12-05T10:42:00Z approval set-eviction-policy by @${APPROVER} in #C0INCIDENT: 1 of 1\n`,
    );
    // People are mentions, not text (each front end links them).
    const apply = message.blocks.find((b) => b.kind === 'section' && b.id === 'audit:0');
    expect(apply?.kind === 'section' && apply.text.filter((s) => 'mentionUser' in s)).toEqual([
      { mentionUser: APPROVER },
      { mentionUser: REQUESTER },
      { mentionUser: APPROVER },
    ]);
  });

  it('finds the request and approvals beyond the entries shown', async () => {
    const entries = await recent('prod', 10);
    const text = toTerminal(auditView('prod', entries.slice(0, 1), entries), { color: false });
    expect(text).toContain(`requested by @${REQUESTER}, approved by @${APPROVER}`);
    const alone = toTerminal(auditView('prod', entries.slice(0, 1)), { color: false });
    expect(alone).toContain('requested by: not among the entries read');
  });

  it('words each kind of change, and cuts a long value', () => {
    expect(CHANGES.map(changeLine)).toEqual([
      `maxmemory-policy on ${NODE}: allkeys-lru -> volatile-lru`,
      'ConfigMap langgraph-agent/redis-session-config redis.conf: maxmemory-policy allkeys-lru -> maxmemory-policy volatile-lru',
    ]);
    expect(
      changeLine({ kind: 'rollout-restart', namespace: 'langgraph-agent', deployment: 'app', resourceVersion: '1' }),
    ).toBe('rollout restart of Deployment langgraph-agent/app');
    const long = changeLine({
      kind: 'configmap',
      namespace: 'n',
      name: 'c',
      key: 'k',
      before: 'x'.repeat(500),
      after: '',
      diff: [],
      resourceVersion: '1',
    });
    expect(long).toMatch(/^ConfigMap n\/c k: x{119}… -> ""$/);
  });
});
