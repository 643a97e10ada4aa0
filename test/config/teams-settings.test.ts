import { describe, expect, it } from 'vitest';
import { parseBotSettings } from '../../src/config/bot-settings.js';
import { parseTeamsSettings, TEAMS_DEFAULTS } from '../../src/config/teams-settings.js';

const SLACK = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99aaa85a5000' };
const APP = '11111111-2222-4333-8444-555555555555';
const TENANT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

describe('Teams settings', () => {
  it('leaves Teams off when TEAMS_APP_ID is unset', () => {
    const r = parseBotSettings(SLACK);
    expect(r.ok && r.settings.teams).toBeUndefined();
  });

  it("reads the app, the tenant and Microsoft's public endpoints by default", () => {
    const r = parseBotSettings({ ...SLACK, TEAMS_APP_ID: APP, TEAMS_APP_PASSWORD: 'secret', TEAMS_TENANT_ID: TENANT });
    expect(r.ok && r.settings.teams).toEqual({
      appId: APP,
      appPassword: 'secret',
      tenantId: TENANT,
      ...TEAMS_DEFAULTS,
    });
    expect(TEAMS_DEFAULTS.openIdMetadataUrl).toBe('https://login.botframework.com/v1/.well-known/openidconfiguration');
  });

  it('takes every endpoint override (sovereign clouds, tests), without a trailing slash', () => {
    const r = parseTeamsSettings({
      TEAMS_APP_ID: APP,
      TEAMS_APP_PASSWORD: 'secret',
      TEAMS_TENANT_ID: TENANT,
      TEAMS_OPENID_METADATA_URL: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
      TEAMS_TOKEN_ISSUER: 'https://api.botframework.us',
      TEAMS_LOGIN_URL: 'https://login.microsoftonline.us/',
      TEAMS_GRAPH_URL: 'https://graph.microsoft.us/',
    });
    expect(r.teams).toMatchObject({
      tokenIssuer: 'https://api.botframework.us',
      loginUrl: 'https://login.microsoftonline.us',
      graphUrl: 'https://graph.microsoft.us',
    });
  });

  it("takes a sovereign cloud's bot scope and Teams web client (GCC High)", () => {
    const TEAMS = { TEAMS_APP_ID: APP, TEAMS_APP_PASSWORD: 'secret', TEAMS_TENANT_ID: TENANT };
    const r = parseTeamsSettings({
      ...TEAMS,
      TEAMS_BOT_SCOPE: ' https://api.botframework.us/.default ',
      TEAMS_WEB_URL: 'https://gov.teams.microsoft.us/',
    });
    expect(r.teams).toMatchObject({
      botScope: 'https://api.botframework.us/.default',
      webUrl: 'https://gov.teams.microsoft.us',
    });
    expect(TEAMS_DEFAULTS).toMatchObject({
      botScope: 'https://api.botframework.com/.default',
      webUrl: 'https://teams.microsoft.com',
    });
  });

  it('refuses a bot scope that is not an https URL ending in /.default, and a web client that is no URL', () => {
    const TEAMS = { TEAMS_APP_ID: APP, TEAMS_APP_PASSWORD: 'secret', TEAMS_TENANT_ID: TENANT };
    const scopeProblem =
      'TEAMS_BOT_SCOPE must be an https URL ending in /.default (e.g. https://api.botframework.us/.default; ' +
      "Microsoft's bot settings name it without /.default), or unset";
    // As Microsoft's bot settings write it (ToChannelFromBotOAuthScope), over http, without a scheme, a trailing slash
    for (const scope of [
      'https://api.botframework.azure.cn',
      'http://api.botframework.us/.default',
      'api.botframework.us/.default',
      'https://api.botframework.us/.default/',
    ])
      expect(parseTeamsSettings({ ...TEAMS, TEAMS_BOT_SCOPE: scope })).toEqual({ problems: [scopeProblem] });
    expect(parseTeamsSettings({ ...TEAMS, TEAMS_WEB_URL: 'gov.teams.microsoft.us' })).toEqual({
      problems: ['TEAMS_WEB_URL must be an http(s) URL, or unset'],
    });
  });

  it('refuses a TEAMS_LOGIN_URL MSAL cannot use as the host of its authority: http, or with a path', () => {
    const login = (v: string) =>
      parseTeamsSettings({ TEAMS_APP_ID: APP, TEAMS_APP_PASSWORD: 's', TEAMS_TENANT_ID: TENANT, TEAMS_LOGIN_URL: v });
    for (const bad of ['http://127.0.0.1:8080', 'https://login.microsoftonline.us/common', 'https://x?y'])
      expect(login(bad).problems).toEqual([
        expect.stringMatching(/^TEAMS_LOGIN_URL must be the https URL of the login host/),
      ]);
    expect(login('https://127.0.0.1:8443/').teams?.loginUrl).toBe('https://127.0.0.1:8443');
  });

  it('names each missing or invalid variable, with the Slack problems, and never the password', () => {
    const r = parseBotSettings({
      SLACK_BOT_TOKEN: 'xoxb-1',
      TEAMS_APP_ID: APP,
      TEAMS_APP_PASSWORD: 'hunter2-secret',
      TEAMS_TENANT_ID: 'contoso',
      TEAMS_LOGIN_URL: 'ftp://x',
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      expect.stringContaining('SLACK_SIGNING_SECRET is not set'),
      'TEAMS_TENANT_ID must be the Entra tenant id (a GUID) the bot serves',
      'TEAMS_LOGIN_URL must be the https URL of the login host, without a path (e.g. https://login.microsoftonline.us; ' +
        'MSAL takes no http authority), or unset',
    ]);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    const missing = parseTeamsSettings({ TEAMS_APP_ID: APP });
    expect(missing).toEqual({
      problems: [
        'TEAMS_APP_PASSWORD is not set: TEAMS_APP_ID needs the app registration client secret, ' +
          'or its certificate in TEAMS_APP_CERTIFICATE_FILE',
        'TEAMS_TENANT_ID is not set: TEAMS_APP_ID needs the Entra tenant id of the single-tenant bot',
      ],
    });
    expect(parseTeamsSettings({ TEAMS_APP_ID: 'my-bot' }).problems).toEqual([
      'TEAMS_APP_ID must be the Microsoft App ID (a GUID) of the Azure Bot, or unset to run without Teams',
    ]);
  });
});

describe('Teams without Slack (issue 22, deployment)', () => {
  const TEAMS = { TEAMS_APP_ID: APP, TEAMS_APP_PASSWORD: 'secret', TEAMS_TENANT_ID: TENANT };

  it('runs Teams only when no Slack credential is set (blank ones count as unset)', () => {
    for (const slack of [{}, { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: ' ', SLACK_APP_TOKEN: '' }]) {
      const r = parseBotSettings({ ...slack, ...TEAMS, SLACK_API_URL: 'http://127.0.0.1:9/api/', PORT: '8080' });
      expect(r).toEqual({
        ok: true,
        settings: {
          mode: 'teams-only',
          port: 8080,
          logLevel: 'info',
          expectedReplicas: 1,
          teams: { appId: APP, appPassword: 'secret', tenantId: TENANT, ...TEAMS_DEFAULTS },
        },
      });
    }
  });

  it('still checks Slack when one of its credentials is set beside Teams (a half-set Slack is no silent Teams-only)', () => {
    const r = parseBotSettings({ ...TEAMS, SLACK_SIGNING_SECRET: SLACK.SLACK_SIGNING_SECRET });
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN is not set/)]);
    const both = parseBotSettings({ ...TEAMS, ...SLACK });
    expect(both.ok && [both.settings.mode, both.settings.teams?.appId]).toEqual(['http', APP]);
  });

  it('names only the Teams problems when Teams is wanted without Slack', () => {
    const r = parseBotSettings({ TEAMS_APP_ID: APP });
    expect(r.ok ? [] : r.problems).toEqual([
      'TEAMS_APP_PASSWORD is not set: TEAMS_APP_ID needs the app registration client secret, ' +
        'or its certificate in TEAMS_APP_CERTIFICATE_FILE',
      'TEAMS_TENANT_ID is not set: TEAMS_APP_ID needs the Entra tenant id of the single-tenant bot',
    ]);
  });
});
