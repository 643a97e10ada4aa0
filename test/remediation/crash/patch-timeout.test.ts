// Issue 19, "a remediation that survives a crash": a ConfigMap PATCH that answers after the bot's 5 s
// timeout. The step is read back (GET) before anything is decided; not landed, the ConfigMap is fenced (its
// resourceVersion moved) so the late PATCH cannot land; then Redis is put back. On the main before this
// change the bot put Redis back and audited a failure, and then the PATCH landed: ConfigMap changed, Redis not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import {
  buttonOf,
  REDIS_CM,
  REDIS_CONF,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from '../slack-flow-harness.js';

/** Longer than the Kubernetes request timeout (5 s): the PATCH lands after the bot gave up on it. */
const LATE_MS = 9000;

describe('a ConfigMap PATCH that answers after the timeout (issue 19)', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({ access: standardAccess(['dev', 'prod']) });
  });
  afterAll(async () => {
    await f?.close();
  });

  it(
    'is read back and fenced before anything is decided: the late PATCH cannot land, Redis is put back, the thread and the audit say so',
    { timeout: 60_000 },
    async () => {
      // Given: set-eviction-policy requested in prod, and the next PATCH of the Redis ConfigMap answered late.
      const report = await f.diagnose('prod');
      const approval = await f.requestFix(SRE, report);
      f.kube.delayNextOn('PATCH', `/configmaps/${REDIS_CM}`, LATE_MS);

      // When: SRE2 approves (the apply: CONFIG SET, then the PATCH that times out).
      await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));

      // Then: the thread says the PATCH timed out, was read back, and was fenced so it can no longer land.
      const post = await f.slack.waitFor(
        'chat.postMessage',
        (c) =>
          c.body.thread_ts === refOf(report).ts &&
          /set-eviction-policy in prod (was not applied|failed)/.test(textOf(c)),
        30_000,
      );
      expect(textOf(post)).toMatch(/did not answer within 5000 ms/);
      expect(textOf(post)).toMatch(/read back after the timeout: ConfigMap \S+ was not changed, and it was fenced/);
      expect(textOf(post)).toMatch(/can no longer land/);
      await f.bot.idle();

      // When: the late PATCH reaches the API server.
      await eventually('the late PATCH to be handled', () => f.kube.delayed === 0, { timeoutMs: LATE_MS + 10_000 });
      const late = f
        .patches()
        .filter((p) => p.path.endsWith(`/configmaps/${REDIS_CM}`))
        .at(-1);

      // Then: it was refused (the fence moved the resourceVersion): the ConfigMap and Redis agree, unchanged.
      expect(late?.body).toMatchObject({ data: { 'redis.conf': expect.stringContaining('volatile-lru') } });
      expect(f.conf()).toBe(REDIS_CONF);
      expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
      const failure = (await f.audit('prod')).find((e) => e.event === 'failure');
      expect(failure?.result).toMatch(/fenced/);
    },
  );
});
