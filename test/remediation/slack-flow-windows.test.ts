// Slack's 3-second windows (issue 18 items 4 and 5): a click opens its modal and a submission is
// acknowledged before the bot reads any store, so a slow Redis never costs the person their answer.
// Through the real Bolt app against the fake Slack; see slack-flow-harness.ts.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { buttonOf, refOf, SRE, SRE2, standardAccess, startFlow, type Flow } from './slack-flow-harness.js';

describe("remediation within Slack's 3-second windows", () => {
  let f: Flow;
  let pauser: Redis;
  beforeAll(async () => {
    f = await startFlow({ access: standardAccess(['dev', 'prod']) });
    pauser = new Redis(sharedRedisUrl());
  });
  afterAll(async () => {
    pauser?.disconnect();
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
  });

  /** Holds every client of the shared redis-server (the environments' Redis and the bot's state) for `ms`. */
  async function pauseRedis(ms: number): Promise<number> {
    await pauser.call('CLIENT', 'PAUSE', String(ms), 'ALL');
    return Date.now();
  }

  it('opens "Preparing the preview…" within 1 s of a fix click while Redis is held, then shows the plan', async () => {
    // Given: a report with a fix button; then Redis (state and target) is held by CLIENT PAUSE for 5 s.
    const report = await f.diagnose('dev');
    const pausedAt = await pauseRedis(5000);

    // When: SRE clicks the fix button.
    const clickedAt = Date.now();
    const res = await f.click(SRE, buttonOf(report, 'fix:set-eviction-policy'), refOf(report));

    // Then: acknowledged, and the modal opened within 1 s of the click, saying it is being prepared.
    expect(res.status).toBe(200);
    const opened = await f.slack.waitFor('views.open');
    expect(opened.at - clickedAt).toBeLessThan(1000);
    expect(JSON.stringify(opened.body.view.blocks)).toContain('Preparing the preview');
    // And: once Redis answers again, the same modal shows the plan.
    const update = await f.slack.waitFor('views.update', (c) => c.body.view_id === opened.response?.view?.id, 20_000);
    expect(update.at - pausedAt).toBeGreaterThanOrEqual(4000);
    expect(JSON.stringify(update.body.view.blocks)).toContain('CONFIG SET maxmemory-policy volatile-lru');
    expect(update.body.view.submit.text).toBe('Apply');
  });

  it('acknowledges a submission at once with a progress view while Redis is held, then shows the result', async () => {
    // Given: the preview of a prod fix is open; then Redis is held for 5 s.
    const report = await f.diagnose('prod');
    const view = await f.openPreview(SRE, report);
    const pausedAt = await pauseRedis(5000);

    // When: SRE submits it.
    const res = await f.submit(SRE, view);

    // Then: the acknowledgement came within Slack's 3 s with a progress view, before Redis answered again.
    expect(res.status).toBe(200);
    expect(res.latencyMs).toBeLessThan(3000);
    expect(res.json.response_action).toBe('update');
    expect(JSON.stringify(res.json.view.blocks)).toContain('Working on it');
    // And: then the modal says the request was made, and the approval request is in the thread.
    const answer = await f.formAnswer(res);
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(4000);
    expect(answer).toContain('Requested: 1 approval needed');
    await f.slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === refOf(report).ts);
  });

  it('acknowledges an Approve click at once while Redis is held, then applies and says so in the thread', async () => {
    // Given: a prod request waiting for its approval; then Redis is held for 5 s.
    const report = await f.diagnose('prod');
    const approval = await f.requestFix(SRE, report);
    await f.bot.idle();
    const pausedAt = await pauseRedis(5000);

    // When: SRE2 clicks Approve.
    const res = await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));

    // Then: acknowledged within Slack's 3 s, and the outcome is posted once Redis answers again.
    expect(res.status).toBe(200);
    expect(res.latencyMs).toBeLessThan(3000);
    const applied = await f.slack.waitFor(
      'chat.postMessage',
      (c) => c.body.thread_ts === refOf(report).ts && /Applied set-eviction-policy in prod/.test(String(c.body.text)),
      20_000,
    );
    expect(applied.at - pausedAt).toBeGreaterThanOrEqual(4000);
  });
});
