import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CORPUS_ROUTING } from '../../../alerts/corpus.js';
import {
  cardOf,
  corpusPost,
  seedSessions,
  sendSigned,
  startTeamsAlertBot,
  type TeamsAlertBot,
} from './teams-alert-harness.js';

// A deployment that runs in Teams alone tunes its alerts in the platform-neutral `alerts` section: no `slack:`
// section in its config at all, and no Slack credential.
const ALERTS = { cooldownMinutes: 45, routing: { aliases: CORPUS_ROUTING.aliases } };

describe('A Teams-only bot reads its alert settings from the alerts section (issue 22)', () => {
  let bot: TeamsAlertBot;
  const post = async (name: string) => {
    const res = await sendSigned(bot.running, bot.issuer, corpusPost(bot.connector.serviceUrl, name));
    expect(res.status).toBe(200);
    return [...bot.connector.calls];
  };

  beforeAll(async () => {
    bot = await startTeamsAlertBot(null, { teamsOnly: true, alerts: ALERTS });
  });
  afterAll(() => bot?.close());
  beforeEach(async () => {
    await seedSessions(bot.redis);
    bot.connector.calls.length = 0;
  });

  it('maps a label value through alerts.routing.aliases (env=development is dev)', async () => {
    // When a workflow posts an alert labelled env=development in the incident channel
    const [reply, ...rest] = await post('prometheus-msteams-workflow');
    // Then the alias names the environment, and dev is diagnosed (not a question about the mapping)
    expect(rest).toEqual([]);
    expect(String(reply!.body.summary)).toMatch(/^Session TTL diagnosis for dev: /);
  });

  it('links a re-fired alert to the earlier diagnosis for alerts.cooldownMinutes, and says how long', async () => {
    // Given a diagnosis of prod for an alert
    await post('alertmanager-msteams-firing');
    // Then its cooldown lasts 45 minutes, not the default 15
    const ttlMs = await bot.redis.pttl('session-ttl-bot:teams:cooldown:sessionttlviolations:prod');
    expect(ttlMs).toBeGreaterThan(44 * 60_000);
    expect(ttlMs).toBeLessThanOrEqual(45 * 60_000);
    bot.connector.calls.length = 0;
    // When another bot posts the same alert a few minutes later
    const [reply, ...rest] = await post('grafana-firing');
    // Then the answer is a link to the earlier diagnosis that names the configured cooldown
    expect(rest).toEqual([]);
    expect(cardOf(reply!)).toContain('I do not re-run within the 45-minute cooldown');
  });
});
