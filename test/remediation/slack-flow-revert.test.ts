// Revert is a change to production (issue 18 item 15): it follows the environment's approval rule
// (access.environments.<env>.revert: approve | request; default approve where approvals > 0), and its message
// lists the values it restored. Through the real Bolt app against the fake Slack; see slack-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import type { SlackApiCall } from '../fakes/slack-api.js';
import {
  buttonOf,
  buttonsOf,
  CHANNEL,
  REDIS_CONF,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

describe('revert follows the approval rule of its environment', () => {
  let f: Flow;
  beforeAll(async () => {
    const access = standardAccess(['dev', 'prod', 'stage']);
    // stage: a production environment whose reverts need no approval.
    access.environments.stage = { ...access.environments.stage, revert: 'request' } as never;
    f = await startFlow({
      envs: { dev: { profile: 'development' }, prod: { profile: 'production' }, stage: { profile: 'production' } },
      access,
    });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
  });

  /** set-eviction-policy applied in `env` (SRE requests, SRE2 approves): the applied post with its Revert. */
  async function applied(env: string): Promise<SlackApiCall> {
    const report = await f.diagnose(env);
    const approval = await f.requestFix(SRE, report);
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const post = await f.slack.waitFor('chat.postMessage', (c) =>
      new RegExp(`Applied set-eviction-policy in ${env}`).test(textOf(c)),
    );
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    return post;
  }

  it('in prod (approvals 1), Revert asks for an approval; another approver restores the values, listed', async () => {
    // Given: the fix applied in prod.
    const post = await applied('prod');

    // When: SRE (the requester) clicks Revert.
    await f.click(SRE, buttonOf(post, 'revert'), refOf(post));

    // Then: nothing is reverted yet; a revert request in the thread names what it restores and who may approve.
    const request = await f.slack.waitFor('chat.postMessage', (c) => /revert, restoring/.test(textOf(c)));
    expect(request.body.thread_ts).toBe(refOf(post).ts);
    expect(textOf(request)).toMatch(/revert, restoring maxmemory-policy allkeys-lru on [\d.:]+; ConfigMap/);
    expect(textOf(request)).toContain(`May approve: <@${SRE2}>`);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');

    // When: SRE clicks Revert again, and approves their own revert request.
    await f.click(SRE, buttonOf(post, 'revert'), refOf(post));
    await f.ephemeral(SRE, (t) => /already requested/.test(t));
    await f.click(SRE, buttonOf(request, 'approve'), refOf(request));
    await f.ephemeral(SRE, (t) => /cannot approve/.test(t));
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');

    // When: SRE2 approves the revert.
    await f.click(SRE2, buttonOf(request, 'approve'), refOf(request));

    // Then: the previous values are back; the thread lists each restored value; the request message is closed.
    const reverted = await f.slack.waitFor('chat.postMessage', (c) =>
      /Reverted set-eviction-policy in prod/.test(textOf(c)),
    );
    expect(textOf(reverted)).toMatch(/CONFIG SET maxmemory-policy allkeys-lru on [\d.:]+ \(was volatile-lru\)/);
    expect(textOf(reverted)).toContain(
      'ConfigMap langgraph-agent/redis-session-config key redis.conf: maxmemory-policy allkeys-lru',
    );
    expect(textOf(reverted)).toContain(`Reverted by <@${SRE}>; approved by <@${SRE2}>`);
    const closed = await f.slack.waitFor('chat.update', (c) => c.body.ts === refOf(request).ts);
    expect(closed.body.text).toMatch(/^Approved and reverted/);
    expect(buttonsOf(closed)).toEqual([]);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.conf()).toBe(REDIS_CONF);
    expect((await f.audit('prod')).map((e) => [e.event, e.actor.userId])).toEqual([
      ['request', SRE],
      ['approval', SRE2],
      ['apply', SRE2],
      ['request', SRE],
      ['denial', SRE],
      ['approval', SRE2],
      ['revert', SRE2],
    ]);
    expect((await f.audit('prod')).every((e) => e.channelId === CHANNEL)).toBe(true);
  });

  it('with revert: request, the requester reverts at once, and the message lists what was restored', async () => {
    const post = await applied('stage');
    await f.click(SRE, buttonOf(post, 'revert'), refOf(post));
    const reverted = await f.slack.waitFor('chat.postMessage', (c) =>
      /Reverted set-eviction-policy in stage/.test(textOf(c)),
    );
    expect(textOf(reverted)).toMatch(/CONFIG SET maxmemory-policy allkeys-lru on [\d.:]+ \(was volatile-lru\)/);
    expect(textOf(reverted)).toContain(`Reverted by <@${SRE}>`);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect((await f.audit('stage')).map((e) => e.event)).toEqual(['request', 'approval', 'apply', 'revert']);
  });

  it('refuses an unknown revert rule in the config, naming it', () => {
    const config = {
      environments: { prod: { profile: 'production', redis: { url: 'redis://127.0.0.1:6379' } } },
      slack: { incidentChannels: [CHANNEL] },
      access: { roles: { sre: { users: [SRE] } }, environments: { prod: { revert: 'whenever' } } },
    };
    expect(() => parseConfig(config, 'test')).toThrow(/access\.environments\.prod\.revert/);
  });
});
