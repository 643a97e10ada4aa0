// Every click and submission gets an answer (issue 18 item 5): acknowledged first, then the work, then an
// answer the person sees (the modal, or an ephemeral message), whatever failed. Through the real Bolt app
// against the fake Slack; see slack-flow-harness.ts.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATE_KEY_PREFIX } from '../../src/core/ports/state-store.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import {
  buttonOf,
  CHANNEL,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  STRANGER,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

/** Keys of pending requests in a state Redis. */
async function pendingKeys(redis: Redis): Promise<string[]> {
  return redis.keys(`${STATE_KEY_PREFIX}remediation:pending:*`);
}

describe('remediation answers when the state Redis is down', () => {
  let f: Flow;
  let state: RedisServerHandle;
  beforeAll(async () => {
    state = await startRedisServer();
    f = await startFlow({ access: standardAccess(['dev', 'prod']), stateUrl: state.url });
  });
  afterAll(async () => {
    await f?.close();
    await state?.stop();
  });

  it('answers a fix click, an Approve click and a submission with what failed', async () => {
    // Given: a prod report, a request waiting for approval, and a second preview open; then the state Redis stops.
    const report = await f.diagnose('prod');
    const approval = await f.requestFix(SRE, report);
    const view = await f.openPreview(SRE, report);
    await f.bot.idle();
    await state.stop();
    const failed = /The bot's state store is not answering \(Redis at 127\.0\.0\.1:\d+ is unreachable/;

    // When: SRE clicks the fix button again.
    const clicked = await f.openPreview(SRE, report);
    // Then: the modal says the state store failed.
    expect(JSON.stringify(clicked.blocks)).toMatch(failed);

    // When: SRE2 clicks Approve.
    expect((await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval))).status).toBe(200);
    // Then: SRE2 is told, visible only to them, in the channel.
    const told = await f.ephemeral(SRE2);
    expect(told.body.channel).toBe(CHANNEL);
    expect(textOf(told)).toMatch(failed);

    // When: SRE submits the open preview.
    const submitted = await f.submit(SRE, view);
    // Then: acknowledged with a progress view, then the modal says what failed.
    expect(submitted.json.response_action).toBe('update');
    expect(await f.formAnswer(submitted)).toMatch(failed);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
  });
});

describe('remediation answers: session Redis down, Slack refusing the modal, unknown forms, repeated submissions', () => {
  let f: Flow;
  let edge: RedisServerHandle;
  beforeAll(async () => {
    // `edge` is a development environment on a redis-server of its own, which a test stops.
    edge = await startRedisServer();
    f = await startFlow({
      envs: {
        dev: { profile: 'development' },
        prod: { profile: 'production' },
        edge: { profile: 'development', redisUrl: edge.url },
      },
      access: standardAccess(['dev', 'prod', 'edge']),
    });
  });
  afterAll(async () => {
    await f?.close();
    await edge?.stop();
  });
  beforeEach(async () => {
    await f.reset();
  });

  it("answers a submission and a fix click with the reason when the environment's Redis is down", async () => {
    // Given: the preview of a fix in edge is open; then edge's Redis stops.
    const edgeRedis = new Redis(edge.url);
    await edgeRedis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    edgeRedis.disconnect();
    const report = await f.diagnose('edge');
    const view = await f.openPreview(SRE, report);
    expect(view.submit.text).toBe('Apply');
    await edge.stop();

    // When: SRE submits it. Then: the modal names the Redis that failed; nothing was applied.
    const answer = await f.formAnswer(await f.submit(SRE, view));
    expect(answer).toMatch(/Redis at 127\.0\.0\.1:\d+ is unreachable/);

    // When: SRE clicks the fix button again. Then: the modal says the preview could not be prepared, and why.
    const clicked = await f.openPreview(SRE, report);
    expect(JSON.stringify(clicked.blocks)).toMatch(/Could not prepare the preview: .*Redis at 127\.0\.0\.1:\d+/);
    await f.bot.idle();
    expect((await f.audit('edge')).map((e) => e.event)).toEqual(['request', 'failure']);
  });

  it('tells the clicker when Slack refuses to open the modal (expired_trigger_id) and leaves no pending record', async () => {
    // Given: a report; Slack will answer the next views.open with expired_trigger_id (the click came too late).
    const report = await f.diagnose('dev');
    f.slack.failMethod('views.open', 'expired_trigger_id', 1);

    // When: SRE clicks the fix button.
    expect((await f.click(SRE, buttonOf(report, 'fix:set-eviction-policy'), refOf(report))).status).toBe(200);

    // Then: SRE is told why and to click again; nothing was planned or kept; nothing audited.
    const told = await f.ephemeral(SRE);
    expect(told.body.text).toContain('Slack did not open the preview (expired_trigger_id');
    expect(told.body.text).toContain('click the button again');
    await f.bot.idle();
    expect(await pendingKeys(f.redis)).toEqual([]);
    expect(f.slack.callsOf('views.update')).toEqual([]);
    expect(await f.audit('dev')).toEqual([]);
  });

  it('answers a submission whose private_metadata names no request', async () => {
    // Given: a modal whose private_metadata is not a pending id, and one that looks like one but is unknown.
    const forged = {
      type: 'modal',
      callback_id: 'preview',
      title: { type: 'plain_text', text: 'Preview' },
      blocks: [],
    };
    for (const ref of ['not-a-pending-id', 'AAAAAAAAAAAAAAAAAAAAAA']) {
      // When: it is submitted.
      const res = await f.submit(SRE, { ...forged, private_metadata: ref });
      // Then: acknowledged, and the modal says the request is unknown; nothing is posted.
      expect(res.status).toBe(200);
      expect(await f.formAnswer(res)).toMatch(/This request is unknown or has expired; open the preview again/);
    }
    await f.bot.idle();
    expect(f.slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('refuses and audits a submission by someone other than the person who opened the preview', async () => {
    const report = await f.diagnose('prod');
    const view = await f.openPreview(SRE, report);
    const answer = await f.formAnswer(await f.submit(STRANGER, view));
    expect(answer).toContain('Only the person who opened this preview can submit it');
    await f.bot.idle();
    expect((await f.audit('prod')).map((e) => [e.event, e.actor.userId])).toEqual([['denial', STRANGER]]);
  });

  it('requests once when the same preview is submitted 10 times at once', async () => {
    // Given: the preview of a prod fix (one approval needed).
    const report = await f.diagnose('prod');
    const view = await f.openPreview(SRE, report);

    // When: it is submitted 10 times at once.
    const submitted = await Promise.all(Array.from({ length: 10 }, () => f.submit(SRE, view)));
    const answers = await Promise.all(submitted.map((r) => f.formAnswer(r)));
    await f.bot.idle();

    // Then: one approval request in the thread, one request audited; the other nine say it was submitted already.
    const posts = f.slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === refOf(report).ts);
    expect(posts).toHaveLength(1);
    expect(answers.filter((a) => a.includes('Requested: 1 approval needed'))).toHaveLength(1);
    expect(answers.filter((a) => a.includes('This preview was already submitted by'))).toHaveLength(9);
    expect((await f.audit('prod')).map((e) => e.event)).toEqual(['request']);
  });

  it('does not request again when a preview is submitted after it was applied or rejected', async () => {
    // Given: a prod request that was rejected, and a dev fix applied from its preview (dev and prod share a Redis).
    const prodReport = await f.diagnose('prod');
    const prodView = await f.openPreview(SRE, prodReport);
    await f.submit(SRE, prodView);
    const approval = await f.slack.waitFor('chat.postMessage', (c) => c.body.thread_ts === refOf(prodReport).ts);
    await f.click(SRE2, buttonOf(approval, 'reject'), refOf(approval));
    await f.slack.waitFor('chat.update', (c) => c.body.ts === refOf(approval).ts);
    const devReport = await f.diagnose('dev');
    const devView = await f.openPreview(SRE, devReport);
    expect(await f.formAnswer(await f.submit(SRE, devView))).toMatch(/Applied set-eviction-policy in dev/);
    await f.bot.idle();
    const posts = f.slack.callsOf('chat.postMessage').length;
    const sets = await f.configSets();

    // When: both previews are submitted again.
    const devAgain = await f.formAnswer(await f.submit(SRE, devView));
    const prodAgain = await f.formAnswer(await f.submit(SRE, prodView));
    await f.bot.idle();

    // Then: each says what happened to it; nothing is posted, applied or audited again.
    expect(devAgain).toMatch(/Already applied by <@U0SRE> at/);
    expect(prodAgain).toMatch(/Already rejected by <@U0SRE2> at/);
    expect(f.slack.callsOf('chat.postMessage')).toHaveLength(posts);
    expect(await f.configSets()).toBe(sets);
    expect((await f.audit('dev')).map((e) => e.event)).toEqual(['request', 'apply']);
    expect((await f.audit('prod')).map((e) => e.event)).toEqual(['request', 'rejection']);
  });
});
