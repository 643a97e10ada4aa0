import { FAKE_IDS } from '../../../test/fakes/slack-api.js';
import { sendEvent } from '../../../test/fakes/slack-signing.js';
import { ALERTS, firingNotification, SIGNING_SECRET, startTestBot } from '../../../test/support/bot-harness.js';
import { eventually } from '../../../test/support/eventually.js';
import { INCIDENT, json, pause, type ChaosContext, type Probe } from '../probe.js';

/** Slack refuses every try of an Alertmanager notification: its re-send is answered once Slack is back. */
const alertRefused = ({ slack, config, registry }: ChaosContext): Probe => ({
  fault: 'Slack 500 on every try of an alert',
  expected: "Alertmanager's re-send is answered",
  async run() {
    const bot = await startTestBot({ slack, config, registry, retryDelaysMs: [20, 20] });
    try {
      slack.failMethodHttp('chat.postMessage', 500);
      const n = firingNotification('dev', 'chaos-500');
      await bot.alertmanager(n);
      await eventually('the retries to end', () =>
        bot.logs.lines.find((l) => l.msg.startsWith('gave up on a job (alertmanager-notification)')),
      );
      slack.failMethod('chat.postMessage', 'none', 0);
      await bot.alertmanager(n);
      const reply = await slack.waitFor(
        'chat.postMessage',
        (c) => c.body.channel === ALERTS && c.body.thread_ts !== undefined && json(c.body).includes('Redis server'),
      );
      return { held: reply !== undefined, observed: 're-send posted the group and the diagnosis' };
    } finally {
      await bot.bot.stop();
    }
  },
});

/** Two refused posts of a slash report: the asker hears at once, the channel gets it once, later. */
const slashReportRefused = ({ slack, config, registry }: ChaosContext): Probe => ({
  fault: 'chat.postMessage 500 (2 calls) for a slash report',
  expected: 'response_url at once; the channel once, later',
  async run() {
    const bot = await startTestBot({
      slack,
      config,
      registry,
      extra: { outbox: { delaysMs: [200, 200], pollMs: 20 } },
    });
    try {
      slack.failMethodHttp('chat.postMessage', 500, 2);
      await bot.slash('diagnose dev server-info', 'chaos-fallback', 'CFALLBACK');
      const reply = await slack.waitForResponse((r) => r.id === 'chaos-fallback');
      const now = json(reply.body.blocks).includes('finding:fixture.server_info');
      await eventually(
        'the outbox to post the report',
        () => bot.logs.lines.find((l) => l.msg === 'posted a message that Slack had refused earlier'),
        { timeoutMs: 10_000 },
      );
      await pause(300);
      const landed = slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CFALLBACK').length - 2;
      return {
        held: now && landed === 1,
        observed: `response_url: ${now ? 'report' : 'no report'}; channel: ${landed} post(s) after Slack came back`,
      };
    } finally {
      await bot.bot.stop();
    }
  },
});

/** An alert post in an incident channel, as an Events API envelope. */
function alertPostEnvelope(ts: string) {
  const text = 'Alert: SessionTTLViolations\nLabels: env=dev';
  const event = { type: 'message', subtype: 'bot_message', bot_id: 'B0ALERTMGR', channel: INCIDENT, ts, text };
  const eventTime = Math.floor(Date.now() / 1000);
  return {
    token: 'x',
    team_id: FAKE_IDS.team,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: 'EvChaosOutbox',
    event_time: eventTime,
    event,
  };
}

/** Three refused replies to an alert post: one diagnosis lands in its thread once Slack is back. */
const alertReplyRefused = ({ slack, config, registry }: ChaosContext): Probe => ({
  fault: 'Slack 500 (3 calls) replying to an alert post',
  expected: 'one diagnosis in the thread once Slack is back',
  async run() {
    const outbox = { delaysMs: [200, 200, 200], pollMs: 20 };
    const bot = await startTestBot({ slack, config, registry, extra: { outbox } });
    try {
      slack.failMethodHttp('chat.postMessage', 500, 3);
      const ts = `${Math.floor(Date.now() / 1000)}.000100`;
      const acked = await sendEvent(bot.url, alertPostEnvelope(ts), { signingSecret: SIGNING_SECRET });
      await eventually(
        'the outbox to post the diagnosis',
        () => bot.logs.lines.find((l) => l.msg === 'posted a message that Slack had refused earlier'),
        { timeoutMs: 10_000 },
      );
      await pause(300);
      const tries = slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts);
      const landed = tries.length - 3;
      const diagnosis = json(tries.at(-1)?.body).includes('Redis server');
      return {
        held: acked.status === 200 && landed === 1 && diagnosis,
        observed: `${tries.length - landed} refused, ${landed} landed (${diagnosis ? 'the diagnosis' : 'not the diagnosis'})`,
      };
    } finally {
      await bot.bot.stop();
    }
  },
});

/** A rendering Slack refuses: a smaller one is posted. */
const invalidBlocks = ({ slack, config, registry }: ChaosContext): Probe => ({
  fault: 'invalid_blocks for a slash report',
  expected: 'a smaller rendering is posted',
  async run() {
    const bot = await startTestBot({ slack, config, registry });
    try {
      slack.failMethod('chat.postMessage', 'invalid_blocks', 1);
      await bot.slash('diagnose dev server-info', 'chaos-blocks', 'CBLOCKS');
      const posted = await slack.waitFor(
        'chat.postMessage',
        (c) => c.body.channel === 'CBLOCKS' && slack.callsOf('chat.postMessage').indexOf(c) === 1,
      );
      const n = (posted.body.blocks as unknown[] | undefined)?.length ?? 0;
      return { held: n > 0 && n <= 12, observed: `second post with ${n} blocks` };
    } finally {
      await bot.bot.stop();
    }
  },
});

export const slackRefusalProbes = (ctx: ChaosContext): Probe[] => [
  alertRefused(ctx),
  slashReportRefused(ctx),
  alertReplyRefused(ctx),
  invalidBlocks(ctx),
];
