import { TEAMS_DEFAULTS, type TeamsSettings } from '../../../src/config/teams-settings.js';
import type { FakeTeamsTokenIssuer } from '../../fakes/teams-token-issuer.js';
import { invokeAnswerViolations } from '../../fakes/adaptive-card-limits.js';
import { recordViolations } from '../../fakes/block-kit-limits.js';
import { FAKE_APP_ID, FAKE_APP_PASSWORD, FAKE_ISSUER, FAKE_TENANT_ID } from '../../fakes/teams-token-issuer.js';

let seq = 0;

/** A Teams channel message mentioning the bot, as Teams sends it (a new thread in the ops channel). */
export function messageActivity(serviceUrl: string, text: string, tenant = FAKE_TENANT_ID) {
  const id = `17000000000${++seq}`;
  return {
    type: 'message',
    id,
    serviceUrl,
    channelId: 'msteams',
    text: `<at>session-ttl</at> ${text}`,
    from: { id: '29:user-1', aadObjectId: 'aad-user-1' },
    recipient: { id: `28:${FAKE_APP_ID}` },
    conversation: { id: `19:ops@thread.tacv2;messageid=${id}`, tenantId: tenant, conversationType: 'channel' },
    channelData: { tenant: { id: tenant } },
    // Teams names the mention twice: `<at>` in the text, and an entity naming the bot's account.
    entities: [
      { type: 'mention', text: '<at>session-ttl</at>', mentioned: { id: `28:${FAKE_APP_ID}`, name: 'session-ttl' } },
    ],
  };
}

/** The bot's Teams settings against the fake token issuer (Graph on a closed port: a test of Entra groups starts the fake Graph). */
export function fakeTeamsSettings(issuer: FakeTeamsTokenIssuer): TeamsSettings {
  return {
    appId: FAKE_APP_ID,
    appPassword: FAKE_APP_PASSWORD,
    tenantId: FAKE_TENANT_ID,
    openIdMetadataUrl: issuer.metadataUrl,
    tokenIssuer: FAKE_ISSUER,
    loginUrl: issuer.loginUrl,
    graphUrl: 'http://127.0.0.1:9',
    botScope: TEAMS_DEFAULTS.botScope,
    webUrl: TEAMS_DEFAULTS.webUrl,
  };
}

/** Sends an activity to the bot's `/api/messages` and waits until the bot has done all it does with it. */
export async function sendActivity(
  bot: { url: string; bot: { idle(): Promise<void> } },
  body: unknown,
  authorization?: string,
): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  const res = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  await bot.bot.idle();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  recordViolations('Teams invoke answer', invokeAnswerViolations(json));
  return { status: res.status, json };
}
