import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStreamStore } from '../../src/adapters/state/redis-stream-store.js';
import { runCli } from '../../src/cli/run-cli.js';
import { auditCommand } from '../../src/commands/audit.js';
import { createAudit } from '../../src/remediation/audit.js';
import { pullRequestAuditField } from '../../src/remediation/gitops/pull-request-audit.js';
import { toTerminal } from '../../src/render/terminal.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { recordingContext } from '../commands/recording-context.js';
import { captureIo } from '../support/cli-io.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

const URL = 'https://github.com/example/gitops/pull/7';
const FIX = 'b'.repeat(40);
const MERGE = 'a'.repeat(40);

let redis: Redis;
const audit = () => {
  let at = Date.UTC(2026, 11, 5, 11, 0);
  return createAudit({
    streams: redisStreamStore(redis),
    logger: captureLogs('info').logger,
    registry: new Registry(),
    now: () => (at += 60_000),
    environments: ['prod'],
  });
};

beforeAll(async () => {
  redis = await resetSharedRedis();
  // Given: an apply that opened pull request #7 (its audit entry carries it), then its merge.
  const a = audit();
  const opened = { provider: 'github' as const, repo: 'example/gitops', number: 7, url: URL, commitSha: FIX };
  const base = { env: 'prod', action: 'set-maxmemory', pendingId: 'p-7', channelId: 'C0OPS', dryRun: false };
  await a.record({ ...base, event: 'request', actor: { userId: 'U0SRE' }, result: '1 approval(s) required' });
  await a.record({ ...base, event: 'approval', actor: { userId: 'U0SRE2' }, result: '1 of 1' });
  await a.record({
    ...base,
    event: 'apply',
    actor: { userId: 'U0SRE2' },
    ...pullRequestAuditField(opened),
    result: 'applied',
  });
  await a.record({
    ...base,
    event: 'pr_merged',
    actor: { userId: 'U0SRE' },
    ...pullRequestAuditField(opened, 'merged', MERGE),
    result: 'merged into main',
  });
});
afterAll(() => redis?.disconnect());

const APPLY_LINE = `\n    pull request example/gitops#7 (${URL}) open, commit ${FIX}\n`;
const MERGED_LINE = `\n    pull request example/gitops#7 (${URL}) merged, commit ${MERGE}\n`;

describe('the audit shows the pull request of a GitOps fix', () => {
  it('/session-ttl audit: its link, state and commit on the apply and on pr_merged', async () => {
    const command = auditCommand({ remediation: { recentAudit: (env, n = 10) => audit().recent(env, n) } });
    const message = await command.run(
      command.params.parse(['prod']),
      recordingContext('audit prod', captureLogs('info').logger).ctx,
    );
    const text = toTerminal(message!, { color: false });
    expect(text).toContain(`pr_merged set-maxmemory by @U0SRE in #C0OPS: merged into main${MERGED_LINE}`);
    expect(text).toContain(`apply set-maxmemory by @U0SRE2 in #C0OPS: applied${APPLY_LINE}`);
    // The link is a link, for the front ends to render.
    const section = message!.blocks.find((b) => b.kind === 'section' && b.id === 'audit:0');
    expect(section?.kind === 'section' && section.text.find((s) => 'link' in s && s.link)).toEqual({
      text: 'example/gitops#7',
      link: URL,
    });
  });

  it('session-ttl audit: the same lines in the terminal', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'audit-pr-')), 'session-ttl.yaml');
    writeFileSync(
      config,
      `environments:\n  prod:\n    profile: production\n    redis: { url: "${sharedRedisUrl()}" }\n`,
    );
    const io = captureIo({ STATE_REDIS_URL: sharedRedisUrl() });
    expect(await runCli(['audit', 'prod', '--config', config], io)).toBe(0);
    expect(io.out()).toContain(MERGED_LINE);
    expect(io.out()).toContain(APPLY_LINE);
    expect(io.out()).toContain('requested by @U0SRE, approved by @U0SRE2');
  });
});
