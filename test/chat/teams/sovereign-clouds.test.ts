// A bot set up for a sovereign cloud (GCC High): its outgoing token asks for that cloud's Bot Connector scope
// (TEAMS_BOT_SCOPE), and its deep links to messages open that cloud's Teams web client (TEAMS_WEB_URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTeamsSettings, TEAMS_DEFAULTS } from '../../../src/config/teams-settings.js';
import { FAKE_APP_ID, FAKE_APP_PASSWORD, FAKE_TENANT_ID } from '../../fakes/teams-token-issuer.js';
import {
  cardOf,
  corpusPost,
  INCIDENT_CHANNEL,
  seedSessions,
  sendSigned,
  startTeamsAlertBot,
  type TeamsAlertBot,
} from './alerts/teams-alert-harness.js';

/** Microsoft's values for GCC High (Bot Framework for US Government; TeamsJS' deep link host of `gcch`). */
const GOV_SCOPE = 'https://api.botframework.us/.default';
const GOV_WEB = 'https://gov.teams.microsoft.us';

describe('Teams in a sovereign cloud (TEAMS_BOT_SCOPE, TEAMS_WEB_URL)', () => {
  let bot: TeamsAlertBot;

  beforeAll(async () => {
    // Given the two settings as an operator writes them in the environment
    const { teams, problems } = parseTeamsSettings({
      TEAMS_APP_ID: FAKE_APP_ID,
      TEAMS_APP_PASSWORD: FAKE_APP_PASSWORD,
      TEAMS_TENANT_ID: FAKE_TENANT_ID,
      TEAMS_BOT_SCOPE: GOV_SCOPE,
      TEAMS_WEB_URL: `${GOV_WEB}/`,
    });
    expect(problems).toEqual([]);
    bot = await startTeamsAlertBot({}, { teams: { botScope: teams!.botScope, webUrl: teams!.webUrl } });
    await seedSessions(bot.redis);
  });
  afterAll(() => bot?.close());

  it("asks for the cloud's scope, and links to the earlier diagnosis on the cloud's Teams web client", async () => {
    const { connector, issuer, running } = bot;
    const post = async (name: string) => {
      const res = await sendSigned(running, issuer, corpusPost(connector.serviceUrl, name));
      expect(res.status).toBe(200);
    };
    // When an alert post is answered, then a second post of the same alert links to that answer
    await post('alertmanager-msteams-firing');
    await post('grafana-firing');

    // Then every call to the Bot Connector carried a token issued for the configured scope, none other
    expect(connector.calls).toHaveLength(2);
    const scopes = connector.calls.map((c) => issuer.grants.find((g) => c.authorization === `Bearer ${g.accessToken}`));
    expect(scopes.map((g) => g?.scope)).toEqual([GOV_SCOPE, GOV_SCOPE]);
    expect(issuer.grants.map((g) => g.scope)).not.toContain(TEAMS_DEFAULTS.botScope);
    // And the link to the earlier diagnosis (reply activity-1 in the first post's thread) is on the GCC High host
    const link = `${GOV_WEB}/l/message/${encodeURIComponent(INCIDENT_CHANNEL)}/activity-1?tenantId=${FAKE_TENANT_ID}`;
    expect(cardOf(connector.calls[1]!)).toContain(link);
    expect(cardOf(connector.calls[1]!)).not.toContain(TEAMS_DEFAULTS.webUrl);
  });
});
