// Issue 19, "a remediation that survives a crash": SIGTERM (the host's shutdown) while the bot follows a
// rollout it started. The apply is recorded as done with the rollout "not followed to the end", the revert
// record saved, audited, the pending record finished and the thread told, all before the process exits.
// On the main before this change the bot waited until the sources closed: the record stayed `applying`,
// the audit had only request and approval, nothing was posted and no revert record existed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_KEY_PREFIX } from '../../../src/core/ports/state-store.js';
import { ALL_ACTIONS } from '../../../src/remediation/actions/index.js';
import type { RemediationAction } from '../../../src/remediation/types.js';
import { eventually } from '../../support/eventually.js';
import { buttonOf, refOf, SRE, SRE2, standardAccess, startFlow, textOf, type Flow } from '../slack-flow-harness.js';

/** The actions, with enable-sliding-window (a ConfigMap key, then a restart of the app) offered on this harness's report. */
const ACTIONS: RemediationAction[] = ALL_ACTIONS.map((a) =>
  a.id === 'enable-sliding-window'
    ? { ...a, findings: [...a.findings, 'eviction.allkeys_policy'], offer: () => ({}) }
    : a,
);

describe('SIGTERM while the bot follows a rollout it started (issue 19)', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({
      access: standardAccess(['dev', 'prod']),
      actions: ACTIONS,
      graceMs: 500,
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it(
    'records the apply as done and the rollout as not followed to the end, saves the revert, audits and says so in the thread before it stops',
    { timeout: 60_000 },
    async () => {
      // Given: the change requested in prod, and a rollout that never completes.
      f.kube.scriptRollout('langgraph-agent', 'never');
      const report = await f.diagnose('prod');
      const view = await f.openPreview(SRE, report, 'enable-sliding-window');
      const before = f.slack.callsOf('chat.postMessage').length;
      await f.submit(SRE, view);
      const approval = await f.slack.waitFor(
        'chat.postMessage',
        (c) => f.slack.callsOf('chat.postMessage').indexOf(c) >= before && /needs 1 approval/.test(textOf(c)),
      );

      // When: SRE2 approves; the ConfigMap is patched, the Deployment restarted, and the bot follows the rollout.
      await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
      await eventually(
        'the restart',
        () => f.kube.requests.some((r) => r.method === 'PATCH' && r.path.includes('/deployments/')),
        {
          timeoutMs: 20_000,
        },
      );
      // When: the bot is told to stop (what SIGTERM does), with a grace period shorter than the rollout.
      const pendingId = String(buttonOf(approval, 'approve').value);
      await f.bot.stop();

      // Then: the thread says it was applied and the rollout was not followed to the end, with Revert.
      const post = f.slack
        .callsOf('chat.postMessage')
        .find((c) => c.body.thread_ts === refOf(report).ts && /Applied enable-sliding-window in prod/.test(textOf(c)));
      expect(post && textOf(post)).toMatch(/not followed to the end/);
      expect(post && buttonOf(post, 'revert').value).toBeTruthy();
      // Then: the pending record is finished (a late click is not told "already being applied"), audited, reverted-able.
      const record = JSON.parse((await f.redis.get(`${STATE_KEY_PREFIX}remediation:pending:${pendingId}`)) ?? '{}');
      expect(record.status).toBe('applied');
      const applied = (await f.audit('prod')).find((e) => e.event === 'apply');
      expect(applied?.changes?.map((c) => c.kind)).toEqual(['configmap', 'rollout-restart']);
      const revertId = String(post && buttonOf(post, 'revert').value);
      expect(await f.redis.exists(`${STATE_KEY_PREFIX}remediation:revert:${revertId}`)).toBe(1);
      const journal = JSON.parse((await f.redis.get(`${STATE_KEY_PREFIX}remediation:journal:${pendingId}`)) ?? '{}');
      expect(journal.status).toBe('done');
    },
  );
});
