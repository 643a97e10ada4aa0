import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { alertmanagerPayload, startTestBot, type TestBot } from '../support/bot-harness.js';

// Issue 9 item 11: alert names and Alertmanager's externalURL are data; in chat.postMessage they must
// not become mentions or break out of a link, in the blocks or in the top-level fallback `text`.
describe('Alertmanager data in chat.postMessage', () => {
  let h: TestBot;
  beforeAll(async () => {
    h = await startTestBot({
      config: parseConfig(
        {
          environments: { prod: { profile: 'production', redis: { url: sharedRedisUrl() } } },
          slack: { alertChannel: 'C0ALERTS' },
        },
        'webhook-text',
      ),
      registry: createCheckRegistry([ttlSampleCheck]),
      alerts: 'redis',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('escapes a mention in an alert name and encodes <, > and | in externalURL', async () => {
    h.slack.reset();
    // Given a group with the alert I answer and one whose name is Slack markup.
    const payload = alertmanagerPayload({
      alertname: 'SessionTTLViolations',
      labels: { env: 'staging' },
      externalURL: 'https://am.example/<x>|<!channel>',
    });
    const hostile = alertmanagerPayload({
      alertname: '<!here> <@U0BOSS> <https://evil.example|click>',
      labels: { env: 'staging' },
    });
    (payload.alerts as unknown[]).push(...(hostile.alerts as unknown[]));
    const res = await h.alertmanager(payload);
    expect(res.status).toBe(200);
    await h.bot.idle();
    const posts = h.slack.callsOf('chat.postMessage');
    expect(posts.length).toBeGreaterThan(0);
    for (const p of posts) {
      // plain_text (the header) is shown as written; every mrkdwn text and the fallback are markup.
      const all = JSON.stringify(
        JSON.stringify(p.body.blocks ?? []).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g),
      );
      expect(String(p.body.text)).not.toMatch(/<!here>|<@U0BOSS>|<https:\/\/evil/);
      expect(all).not.toMatch(/<!here>|<!channel>|<@U0BOSS>|<https:\/\/evil/);
    }
    const group = JSON.stringify(posts[0]!.body.blocks);
    expect(group).toContain('<https://am.example/%3Cx%3E%7C%3C!channel%3E|open>');
  });
});
