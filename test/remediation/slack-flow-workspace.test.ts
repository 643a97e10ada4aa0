// The workspace is part of the identity (issue 18 item 6): a click signed for another workspace than the
// bot's own (auth.test) is refused with the reason and audited, whatever the user id; on Enterprise Grid the
// configured organization and workspaces decide. Through the real Bolt app; see slack-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import {
  buttonOf,
  CHANNEL,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

describe('remediation: the workspace the bot token belongs to (auth.test)', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({ access: standardAccess(['dev', 'prod']) });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
  });

  it('refuses an Approve signed for another workspace, says why, audits it and applies nothing', async () => {
    // Given: SRE requested the prod fix; the approval request is in the thread.
    const report = await f.diagnose('prod');
    const approval = await f.requestFix(SRE, report);
    await f.bot.idle();

    // When: a user with an approver's user id clicks Approve from another workspace (and from a shared
    // channel, where only the user's own workspace differs).
    await f.clickAs({ team: 'T0OTHER' }, SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const told = await f.ephemeral(SRE2);
    await f.clickAs({ userTeam: 'T0GUEST' }, SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const guest = await f.ephemeral(SRE2, (t) => t.includes('T0GUEST'));

    // Then: each is refused, naming the workspace and the one the bot serves; nothing applied; denials audited.
    expect(told.body.text).toContain(
      'This request came from workspace T0OTHER, but this bot serves T0FAKE (auth.test)',
    );
    expect(guest.body.text).toContain('This request came from workspace T0GUEST');
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.patches()).toEqual([]);
    const audit = await f.audit('prod');
    expect(audit.map((e) => [e.event, e.actor.teamId])).toEqual([
      ['request', 'T0FAKE'],
      ['denial', 'T0OTHER'],
      ['denial', 'T0GUEST'],
    ]);

    // And: the same user from the bot's workspace approves it.
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    await f.slack.waitFor('chat.postMessage', (c) => /Applied set-eviction-policy in prod/.test(textOf(c)));
  });

  it('refuses a fix click from another workspace in the modal', async () => {
    const report = await f.diagnose('dev');
    await f.clickAs({ team: 'T0OTHER' }, SRE, buttonOf(report, 'fix:set-eviction-policy'), refOf(report));
    const opened = await f.slack.waitFor('views.open');
    const told = await f.slack.waitFor('views.update', (c) => c.body.view_id === opened.response?.view?.id);
    expect(JSON.stringify(told.body.view.blocks)).toContain('This request came from workspace T0OTHER');
    expect(told.body.view.submit).toBeUndefined();
  });
});

describe('remediation on Enterprise Grid (slack.workspace)', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({
      access: standardAccess(['dev']),
      workspace: { enterpriseId: 'E0GRID', teamIds: ['T0FAKE', 'T0SECOND'] },
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('allows the configured workspaces of the organization and refuses another workspace or organization', async () => {
    const report = await f.diagnose('dev');
    const fix = buttonOf(report, 'fix:set-eviction-policy');
    const answer = async (identity: Parameters<Flow['clickAs']>[0]) => {
      const before = f.slack.callsOf('views.open').length;
      await f.clickAs(identity, SRE, fix, refOf(report));
      const opened = await f.slack.waitFor('views.open', (c) => f.slack.callsOf('views.open').indexOf(c) >= before);
      const updated = await f.slack.waitFor('views.update', (c) => c.body.view_id === opened.response?.view?.id);
      return JSON.stringify(updated.body.view.blocks);
    };
    expect(await answer({ team: 'T0SECOND', enterprise: 'E0GRID' })).toContain('CONFIG SET maxmemory-policy');
    expect(await answer({ team: 'T0THIRD', enterprise: 'E0GRID' })).toContain(
      'This request came from workspace T0THIRD, but this bot serves T0FAKE, T0SECOND (slack.workspace)',
    );
    expect(await answer({ team: 'T0SECOND', enterprise: 'E0OTHER' })).toContain(
      'This request came from Enterprise Grid organization E0OTHER, but this bot serves organization E0GRID',
    );
    expect(await answer({ team: 'T0SECOND' })).toContain('outside any Enterprise Grid organization');
    await f.bot.idle();
    expect((await f.audit('dev')).filter((e) => e.event === 'denial')).toHaveLength(3);
    expect((await f.audit('dev')).every((e) => e.channelId === CHANNEL)).toBe(true);
  });

  it('refuses a workspace setting that is not a team id, naming the field', () => {
    const config = {
      environments: { dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:6379' } } },
      slack: { workspace: { teamIds: ['fake'] } },
    };
    expect(() => parseConfig(config, 'test')).toThrow(/slack\.workspace\.teamIds\.0/);
  });
});
