import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_OFF_MESSAGE } from '../../../src/chat/slack/slack-off.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/bot-connector.js';
import {
  FAKE_APP_ID,
  FAKE_APP_PASSWORD,
  FAKE_ISSUER,
  FAKE_TENANT_ID,
  startFakeTeamsTokenIssuer,
  type FakeTeamsTokenIssuer,
} from '../../fakes/teams-token-issuer.js';
import { startBotProcess, type BotProcess } from '../../support/bot-process.js';
import { eventually } from '../../support/eventually.js';
import { ROOT } from '../../support/paths.js';
import { messageActivity } from './teams-activity.js';

const manifestTitles = (): string[] =>
  JSON.parse(
    readFileSync(join(ROOT, 'manifests/teams-app/manifest.json'), 'utf8'),
  ).bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);

describe('the real bot process with Teams only, no Slack (issue 22, deployment)', () => {
  let issuer: FakeTeamsTokenIssuer;
  let connector: FakeBotConnector;
  let bot: BotProcess;

  beforeAll(async () => {
    issuer = await startFakeTeamsTokenIssuer();
    connector = await startFakeBotConnector();
    // Given `npm start` (src/main.ts) with the Teams variables and the Slack credentials blank, as a Deployment
    // whose optional Slack secret is absent sets them.
    bot = await startBotProcess({
      config: {
        environments: {
          dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:9' }, monitor: { enabled: false } },
        },
      },
      slackApiUrl: 'http://127.0.0.1:9/api/',
      env: {
        SLACK_BOT_TOKEN: '',
        SLACK_SIGNING_SECRET: '',
        TEAMS_APP_ID: FAKE_APP_ID,
        TEAMS_APP_PASSWORD: FAKE_APP_PASSWORD,
        TEAMS_TENANT_ID: FAKE_TENANT_ID,
        TEAMS_OPENID_METADATA_URL: issuer.metadataUrl,
        TEAMS_TOKEN_ISSUER: FAKE_ISSUER,
        TEAMS_LOGIN_URL: issuer.loginUrl,
        NODE_EXTRA_CA_CERTS: issuer.caFile,
      },
    });
  }, 150_000);
  afterAll(async () => {
    await bot?.kill();
    await connector?.close();
    await issuer?.close();
  });

  it('starts, says once that Slack is off, and serves no Slack route', async () => {
    const off = bot.logs().filter((l) => l.msg === SLACK_OFF_MESSAGE);
    expect(off).toHaveLength(1);
    expect(off[0]!.level).toBe(30); // pino's info
    expect(bot.logs().find((l) => l.msg === 'listening')).toMatchObject({ mode: 'teams-only' });
    expect((await fetch(`${bot.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it("answers a signed Teams message: help lists the manifest's commands, which are the running bot's", async () => {
    // When a person mentions the bot with `help` in a channel
    const activity = messageActivity(connector.serviceUrl, 'help');
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await issuer.sign(connector.serviceUrl)}`,
      },
      body: JSON.stringify(activity),
    });
    expect(res.status).toBe(200);
    // Then the help card comes back through the Bot Connector, with the bot's own token from the login endpoint
    await eventually('the help reply', () => connector.calls.length > 0, { timeoutMs: 30_000, intervalMs: 50 });
    const [reply] = connector.calls;
    expect(reply).toMatchObject({ kind: 'reply', activityId: activity.id, status: 200, violations: [] });
    expect(issuer.grants.map((g) => g.clientId)).toContain(FAKE_APP_ID);
    // What the card shows (its plain-text fallback repeats it)
    const { fallbackText: _, ...shown } = (reply!.body.attachments as { content: Record<string, unknown> }[])[0]!
      .content;
    const card = JSON.stringify(shown);
    const listed = [...card.matchAll(/@session-ttl ([a-z-]+)/g)].map((m) => m[1]);
    // The commands the running bot offers are the ones the Teams app manifest suggests, in its order.
    expect(listed).toEqual(manifestTitles());
  });
});
