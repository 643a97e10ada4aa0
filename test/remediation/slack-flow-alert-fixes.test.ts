// Alert threads get fix buttons (issue 18 item 14): the diagnosis posted in an Alertmanager post's thread
// offers the same fixes as a slash report (authorization is at the click), or says why a fix is not offered.
// Through the real Bolt app, the fake Slack and the fake Kubernetes API; see slack-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { firingNotification } from '../support/bot-harness.js';
import type { SlackApiCall } from '../fakes/slack-api.js';
import {
  buttonOf,
  buttonsOf,
  CHANNEL,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

describe('fix buttons on an alert diagnosis', () => {
  let f: Flow;
  let group = 0;
  beforeAll(async () => {
    f = await startFlow({ access: standardAccess(['dev', 'prod']), alerts: true });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
  });

  /** A firing SessionTTLViolations for `env` through Alertmanager: the diagnosis posted in its thread. */
  async function alertDiagnosis(env: string): Promise<SlackApiCall> {
    expect((await f.alertmanager(firingNotification(env, `g${++group}`))).status).toBe(200);
    return f.slack.waitFor(
      'chat.postMessage',
      (c) => c.body.channel === CHANNEL && !!c.body.thread_ts && /Automatic diagnosis/.test(textOf(c)),
      15_000,
    );
  }

  it('offers the same fixes as a slash report, and a fix from it runs in the alert thread', async () => {
    // Given: an alert for prod; its diagnosis in the thread, and a slash report of the same environment.
    const diagnosis = await alertDiagnosis('prod');
    const report = await f.diagnose('prod');

    // Then: the diagnosis offers the slash report's fix buttons, with the same labels.
    const fixes = (call: SlackApiCall) =>
      buttonsOf(call)
        .filter((b) => b.action_id.startsWith('fix:'))
        .map((b) => [b.action_id, b.text?.text]);
    expect(fixes(diagnosis)).toEqual([['fix:set-eviction-policy', 'Set the Redis eviction policy…']]);
    expect(fixes(diagnosis)).toEqual(fixes(report));

    // When: SRE clicks it (a reply in the alert's thread) and submits the preview; SRE2 approves.
    const thread = String(diagnosis.body.thread_ts);
    await f.clickAs({ threadTs: thread }, SRE, buttonOf(diagnosis, 'fix:set-eviction-policy'), refOf(diagnosis));
    const opened = await f.slack.waitFor('views.open');
    const view = (await f.slack.waitFor('views.update', (c) => c.body.view_id === opened.response?.view?.id)).body.view;
    expect(JSON.stringify(view.blocks)).toContain('CONFIG SET maxmemory-policy volatile-lru');
    await f.submit(SRE, view);
    const approval = await f.slack.waitFor('chat.postMessage', (c) => /needs 1 approval/.test(textOf(c)));
    expect(approval.body.thread_ts).toBe(thread);
    await f.clickAs({ threadTs: thread }, SRE2, buttonOf(approval, 'approve'), refOf(approval));

    // Then: applied, said in the alert's thread, and the diagnosis itself is marked fixed.
    const applied = await f.slack.waitFor('chat.postMessage', (c) =>
      /Applied set-eviction-policy in prod/.test(textOf(c)),
    );
    expect(applied.body.thread_ts).toBe(thread);
    const marked = await f.slack.waitFor('chat.update', (c) => c.body.ts === refOf(diagnosis).ts);
    expect(JSON.stringify(marked.body.blocks[0])).toMatch(
      /Fixed:\* `set-eviction-policy` by <@U0SRE>, approved by <@U0SRE2>/,
    );
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
  });

  it('says why a fix is not offered when the bot could not perform it', async () => {
    // Given: RBAC denies the bot patch on the Redis ConfigMap (the capability is remembered a minute: move past it).
    f.kube.setAccess((a) => a.verb !== 'patch');
    f.clock.skewMs = 10 * 60_000;

    // When: an alert for dev is diagnosed.
    const diagnosis = await alertDiagnosis('dev');

    // Then: no fix button, and the diagnosis says which fix is not offered and why.
    expect(buttonsOf(diagnosis).map((b) => b.action_id)).toEqual(['diagnose', 'verify']);
    expect(textOf(diagnosis)).toContain('Set the Redis eviction policy: not offered');
    expect(textOf(diagnosis)).toContain('may not patch configmaps');
  });
});
