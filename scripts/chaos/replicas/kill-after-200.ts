import { FAKE_IDS } from '../../../test/fakes/slack-api.js';
import { eventually } from '../../../test/support/eventually.js';
import { groupFor, groupReplyFor, notify, tallyPosts } from '../../../test/support/replica-traffic.js';
import type { Probe } from '../probe.js';
import { REPLICA_ALERTS, type ReplicaChaos } from './replica-context.js';

const TAKE_OVER_MS = 75_000;

/**
 * A replica is SIGKILLed right after its webhook answered 200 (while Slack refuses the first try): the
 * notification is still posted once, by another replica. Needs durable intake (the notification kept in
 * the state store before the 200); without it the notification is lost.
 */
export const killAfter200Probe = (replicas: () => ReplicaChaos): Probe => ({
  fault: 'SIGKILL of a replica right after its webhook 200',
  expected: 'posted once, by another replica',
  deadlineMs: TAKE_OVER_MS + 30_000,
  async run() {
    const rc = replicas();
    const env = rc.freshEnv();
    const calls = rc.slack.callsOf('chat.postMessage').length;
    rc.slack.failMethodHttp('chat.postMessage', 503);
    const status = await notify(rc.set.urls()[2]!, env, `chaos-kill-${env}`);
    await eventually('its first try', () => rc.slack.callsOf('chat.postMessage').length > calls || undefined, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    await rc.set.kill(2);
    const killedAt = Date.now();
    rc.slack.failMethodHttp('chat.postMessage', 503, 0);
    const expected = [groupFor(env, REPLICA_ALERTS), groupReplyFor(env, REPLICA_ALERTS, rc.slack)];
    const messages = () => rc.slack.messagesIn(REPLICA_ALERTS).filter((m) => m.bot_id === FAKE_IDS.bot);
    const posted = await eventually(
      'another replica to post it',
      () => tallyPosts(expected, messages()).lost === 0 || undefined,
      {
        timeoutMs: TAKE_OVER_MS,
        intervalMs: 250,
      },
    ).catch(() => false);
    const afterMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, posted ? 3000 : 0));
    const t = tallyPosts(expected, messages());
    void rc.restart(2).catch(() => undefined);
    return {
      held: status === 200 && t.posted === 2 && t.duplicates === 0,
      observed: posted
        ? `webhook ${status}; group + diagnosis posted ${(afterMs / 1000).toFixed(0)} s after the kill, ${t.duplicates} twice`
        : `webhook ${status}; nothing posted within ${TAKE_OVER_MS / 1000} s of the kill (${t.posted}/2)`,
    };
  },
});
