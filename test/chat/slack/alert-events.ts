import { FAKE_IDS } from '../../fakes/slack-api.js';
import { buildSignedRequest, sendSigned } from '../../fakes/slack-signing.js';
import { SIGNING_SECRET } from '../../support/bot-harness.js';

let seq = 0;

/** An alert post by Alertmanager's Slack integration in an incident channel, as an Events API delivery. */
export function alertPost(env: string, channel: string) {
  const ts = `1720000000.${String(++seq).padStart(6, '0')}`;
  const event = {
    type: 'message',
    subtype: 'bot_message',
    bot_id: 'B07ALRTMGR',
    channel,
    ts,
    text: `[FIRING:1] SessionTTLViolations\nAlert: SessionTTLViolations\nLabels: env=${env}`,
  };
  return { ts, eventId: `EvOutbox${seq}`, event };
}

/** Delivers the post to the bot's `/slack/events`, signed; `retryNum` makes it Slack's redelivery. */
export function deliver(baseUrl: string, post: ReturnType<typeof alertPost>, retryNum?: number) {
  const body = JSON.stringify({
    token: 'x',
    team_id: FAKE_IDS.team,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: post.eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: post.event,
  });
  // A redelivery is signed anew (another timestamp), as Slack does; the same bytes again would be a replay.
  const timestampSec = Math.floor(Date.now() / 1000) - (retryNum ?? 0);
  const req = buildSignedRequest(`${baseUrl}/slack/events`, body, {
    signingSecret: SIGNING_SECRET,
    contentType: 'application/json',
    timestampSec,
  });
  if (retryNum !== undefined) {
    req.headers['x-slack-retry-num'] = String(retryNum);
    req.headers['x-slack-retry-reason'] = 'http_error';
  }
  return sendSigned(req);
}
