// Issue 19: a ConfigMap PATCH that times out, is not there when read back, and cannot be fenced (the API
// refuses the fence): it may still land. The bot says so and puts nothing back blindly; once the apply's lease
// expires the reconciler reads the real state (by then the late PATCH has landed) and posts it with Revert.
// On the main before this change the bot put Redis back, said nothing of the PATCH, and then it landed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import {
  buttonOf,
  buttonsOf,
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

/** Just over the 5 s request timeout: the PATCH lands long before the lease below expires. */
const LATE_MS = 6000;
const LEASE_SECONDS = 10;

describe('a ConfigMap PATCH whose outcome stays unknown (issue 19)', () => {
  let f: Flow;
  beforeAll(async () => {
    const access = standardAccess(['dev', 'prod']);
    access.environments.prod = { ...access.environments.prod, revert: 'request' } as never;
    f = await startFlow({ access, remediation: { applyLeaseSeconds: LEASE_SECONDS, reconcileEverySeconds: 1 } });
  });
  afterAll(async () => {
    await f?.close();
  });

  it(
    'says the PATCH may still land, puts nothing back, and the reconciler posts the real state later',
    { timeout: 120_000 },
    async () => {
      // Given: the PATCH answered late, and the fence that would stop it refused (500).
      const report = await f.diagnose('prod');
      const approval = await f.requestFix(SRE, report);
      f.kube.delayNextOn('PATCH', `/configmaps/${REDIS_CM}`, LATE_MS);
      f.kube.failNextOn('PATCH', `/configmaps/${REDIS_CM}`, 500);

      // When: SRE2 approves.
      await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));

      // Then: the thread says the PATCH may still land and that nothing was put back.
      const said = await f.slack.waitFor('chat.postMessage', (c) => /may still land/.test(textOf(c)), 30_000);
      expect(said.body.thread_ts).toBe(refOf(report).ts);
      expect(textOf(said)).toMatch(/was not changed when read back and could not be fenced/);
      expect(textOf(said)).toMatch(/Nothing was put back while the outcome is unknown/);
      expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');

      // When: the late PATCH lands, then the apply's lease expires.
      await eventually('the late PATCH to land', () => f.conf() !== REDIS_CONF, { timeoutMs: 30_000 });

      // Then: the reconciler reads the real state and posts it, with Revert (nothing left to finish).
      const post = await f.slack.waitFor(
        'chat.postMessage',
        (c) => /was interrupted/.test(textOf(c)),
        (LEASE_SECONDS + 30) * 1000,
      );
      expect(textOf(post)).toContain(
        'The apply of set-eviction-policy in prod was interrupted: Redis changed, ConfigMap changed',
      );
      expect(buttonsOf(post).map((b) => b.action_id)).toEqual(['revert']);

      // When: SRE reverts. Then: both are back, in agreement.
      await f.click(SRE, buttonOf(post, 'revert'), refOf(post));
      await f.slack.waitFor('chat.postMessage', (c) => /Reverted set-eviction-policy in prod/.test(textOf(c)));
      expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
      expect(f.conf()).toBe(REDIS_CONF);
    },
  );
});
