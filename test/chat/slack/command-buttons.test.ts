import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { startTestBot, type TestBot } from '../../support/bot-harness.js';
import { serverInfoCheck } from '../../reliability/fixtures.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';

const CLICKER = 'U0CLICKER';
let seq = 0;

describe('buttons that are commands (Re-run, Verify): a click re-enters the typed-command path', () => {
  let slack: FakeSlackApi;
  let running: TestBot;

  /** A signed click on `actionId` carrying `value`, on a message in C0CLICK; replies go to response_url `id`. */
  const click = (actionId: string, value: string) => {
    const id = `click${++seq}`;
    const sent = running.click({ action_id: actionId, value }, { user: CLICKER, channel: 'C0CLICK', responseId: id });
    return { id, sent };
  };

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    const config = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
      'buttons-test',
    );
    running = await startTestBot({ slack, config, registry: createCheckRegistry([serverInfoCheck]) });
  });
  afterAll(async () => {
    await running?.bot.stop();
    await slack?.close();
  });
  beforeEach(() => slack.reset());

  it('Re-run diagnoses the environment in its ref and posts the report where it was clicked, naming who clicked', async () => {
    const { id, sent } = click('diagnose', 'dev');
    expect((await sent).status).toBe(200);
    const post = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C0CLICK');
    expect(JSON.stringify(post.body.blocks)).toContain('finding:fixture.server_info');
    expect(JSON.stringify(post.body.blocks)).toContain(`Requested by <@${CLICKER}>`);
    const first = await slack.waitForResponse((r) => r.id === id);
    expect(first.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(first.body.text).toMatch(/^:hourglass_flowing_sand: Diagnosing \*dev\*/);
  });

  it('validates the ref like typed text: an unknown environment is answered to the clicker and nothing is posted', async () => {
    const { id } = click('verify', 'nope');
    const reply = await slack.waitForResponse((r) => r.id === id);
    expect(reply.body.text).toBe(':warning: Unknown environment "nope". Valid environments: dev.');
    await running.bot.idle();
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('refuses a ref that is not one plain word (it would be read as more arguments)', async () => {
    for (const value of ['dev server-info', 'dev; id', '<!channel>']) {
      const { id } = click('diagnose', value);
      const reply = await slack.waitForResponse((r) => r.id === id);
      expect(reply.body.text).toBe(':warning: That button is not one I can act on.');
    }
    await running.bot.idle();
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
  });
});
