// Who may click what, through the real Bolt app: every refusal names the policy entry that would allow
// it, changes nothing and is audited. See slack-flow-harness.ts for the bot, the fakes and the users.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buttonOf,
  buttonsOf,
  CHANNEL,
  ONCALL,
  ONCALL_GROUP,
  OTHER_CHANNEL,
  REDIS_CONF,
  refOf,
  SECRET,
  SRE,
  STRANGER,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';
import { sendSlashCommand } from '../fakes/slack-signing.js';

/** The modal shows a notice, not a preview: nothing to submit, no pending id behind it. */
function expectNoPreview(view: Record<string, any>) {
  expect(view.submit).toBeUndefined();
  expect(view.private_metadata).toBe('');
  expect(JSON.stringify(view.blocks)).not.toContain('CONFIG SET');
}

/** Nothing changed: the live policy, redis.conf, no PATCH, no preview opened. */
async function expectNothingChanged(f: Flow) {
  expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
  expect(f.conf()).toBe(REDIS_CONF);
  expect(f.patches()).toEqual([]);
  expect(await f.configSets()).toBe(0);
}

describe('remediation access: no access section', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('refuses a fix click, names the policy entry that would allow it, changes nothing and audits the denial', async () => {
    // Given: a report with a fix button, in a config without an access section.
    const report = await f.diagnose('dev');
    const fix = buttonOf(report, 'fix:set-eviction-policy');

    expect(fix.action_id).toBe('fix:set-eviction-policy');

    // When: an SRE clicks the fix button in the incident channel.
    const view = await f.openPreview(SRE, report);

    // Then: the modal says why (naming the exact entry) instead of a preview; nothing changed; a denial audited.
    expect(textOf({ body: view })).toMatch(/no access section/);
    expect(textOf({ body: view })).toContain('access.environments.dev.request.set-eviction-policy');
    expectNoPreview(view);
    await f.bot.idle();
    await expectNothingChanged(f);
    const audit = await f.audit('dev');
    expect(audit).toEqual([
      expect.objectContaining({
        event: 'denial',
        actor: { userId: SRE, teamId: 'T0FAKE' },
        channelId: CHANNEL,
        env: 'dev',
        action: 'set-eviction-policy',
        dryRun: false,
      }),
    ]);
    expect(audit[0]?.result).toContain('access.environments.dev.request.set-eviction-policy');
  });
});

describe('remediation access: roles, user groups, channels, capabilities, command buttons', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({
      envs: { dev: { profile: 'development', verify: { waitSeconds: 0.05 } } },
      access: {
        ...standardAccess(['dev']),
        environments: { dev: { ...standardAccess(['dev']).environments.dev, verify: ['sre'] } },
      },
    });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
    f.slack.setUserGroup(ONCALL_GROUP, [ONCALL]);
  });

  it('refuses a user in no role, naming the entry and the roles that would allow it', async () => {
    // Given: a report with a fix button.
    const report = await f.diagnose('dev');

    // When: a user in no role clicks it.
    const view = await f.openPreview(STRANGER, report);

    // Then: refused with the entry (request.*) and its roles; nothing changed; the denial is audited.
    expect(textOf({ body: view })).toContain(
      `add your user id (${STRANGER}) to a role listed in \`access.environments.dev.request.*\` (sre, oncall)`,
    );
    expectNoPreview(view);
    await f.bot.idle();
    await expectNothingChanged(f);
    expect(await f.audit('dev')).toEqual([
      expect.objectContaining({
        event: 'denial',
        actor: expect.objectContaining({ userId: STRANGER }),
        action: 'set-eviction-policy',
      }),
    ]);
  });

  it('allows a user whose role comes through a user group (usergroups.users.list), up to the apply', async () => {
    // Given: ONCALL is in no role by user id, only through the S0ONCALL user group (members are
    // remembered a minute: move past what earlier tests read).
    f.clock.skewMs = 2 * 60_000;
    const report = await f.diagnose('dev');

    // When: ONCALL clicks the fix button and submits the preview.
    const applied = await f.requestFix(ONCALL, report);

    // Then: the group was read from Slack, the change is applied and attributed to ONCALL.
    expect(f.slack.callsOf('usergroups.users.list').map((c) => c.body.usergroup)).toContain(ONCALL_GROUP);
    expect(applied.body.text).toMatch(/Applied set-eviction-policy in dev/);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    expect((await f.audit('dev')).map((e) => [e.event, e.actor.userId])).toEqual([
      ['request', ONCALL],
      ['apply', ONCALL],
    ]);
  });

  it('refuses the right user in a channel that is not in access.channels', async () => {
    // Given: a report posted in a channel that is not an access channel (diagnose works anywhere).
    const report = await f.diagnose('dev', SRE, OTHER_CHANNEL);

    // When: an SRE clicks its fix button there.
    const view = await f.openPreview(SRE, report, 'set-eviction-policy', OTHER_CHANNEL);

    // Then: refused, naming the channels that work and the entry to add this one to.
    const told = textOf({ body: view });
    // The channel as a Slack channel link, not as text nor as escaped markup (Slack would show "&lt;#C…&gt;").
    expect(told).toContain(`only in <#${CHANNEL}>`);
    expect(told).not.toContain('&lt;');
    expect(told).toContain(`add this channel (${OTHER_CHANNEL}) to access.channels`);
    expectNoPreview(view);
    await f.bot.idle();
    await expectNothingChanged(f);
    expect(await f.audit('dev')).toEqual([
      expect.objectContaining({
        event: 'denial',
        channelId: OTHER_CHANNEL,
        actor: expect.objectContaining({ userId: SRE }),
      }),
    ]);
    // And: /session-ttl audit shows the denial with its people and channels as Slack links, none escaped.
    const res = await sendSlashCommand(
      f.baseUrl,
      { text: 'audit dev', user_id: SRE, channel_id: CHANNEL, response_url: f.slack.responseUrl('audit-links') },
      { signingSecret: SECRET },
    );
    expect(res.status).toBe(200);
    const shown = await f.slack.waitForResponse((r) => r.id === 'audit-links');
    const denial = JSON.stringify(shown.body.blocks);
    expect(denial).toContain(`denial* \`set-eviction-policy\` by <@${SRE}> in <#${OTHER_CHANNEL}>: `);
    expect(denial).toContain(`only in <#${CHANNEL}>`);
    expect(denial).not.toContain('&lt;');
  });

  it('says in the report who asked for it', async () => {
    const report = await f.diagnose('dev', ONCALL);
    const notes = (report.body.blocks as any[]).find((b) => b.block_id === 'remediation-notes');
    expect(JSON.stringify(notes)).toContain(`Requested by <@${ONCALL}>`);
  });

  it('offers no fix button the bot could not perform (SelfSubjectAccessReview denies patch) and says why', async () => {
    // Given: RBAC denies the bot patch on the Redis ConfigMap (the capability is remembered a minute: move past it).
    f.kube.setAccess((a) => a.verb !== 'patch');
    f.clock.skewMs = 10 * 60_000;

    // When: a diagnosis finds the allkeys policy.
    const report = await f.diagnose('dev');

    // Then: no fix button, only Re-run and Verify; the report lists the action as not offered, with why.
    expect(buttonsOf(report).map((b) => b.action_id)).toEqual(['diagnose', 'verify']);
    const notes = JSON.stringify((report.body.blocks as any[]).find((b) => b.block_id === 'remediation-notes'));
    expect(notes).toContain('Set the Redis eviction policy: not offered');
    expect(notes).toContain(`may not patch configmaps \\"redis-session-config\\"`);
    const reviews = f.kube.requests.filter((r) => r.path.endsWith('/selfsubjectaccessreviews'));
    expect(reviews.map((r) => (r.body as any).spec.resourceAttributes)).toContainEqual(
      expect.objectContaining({ verb: 'patch', resource: 'configmaps', name: 'redis-session-config' }),
    );
  });

  it('Re-run re-enters the command path: a new report in the channel and an ephemeral ack', async () => {
    // Given: a report.
    const report = await f.diagnose('dev');
    const posts = f.slack.callsOf('chat.postMessage').length;

    // When: a user (any user: diagnose only reads) clicks Re-run.
    await f.click(STRANGER, buttonOf(report, 'diagnose'), refOf(report));

    // Then: the person gets the ack through the response_url and a second report is posted, requested by them.
    const ack = await f.slack.waitForResponse((r) => /Diagnosing \*dev\*/.test(String(r.body.text)));
    expect(ack.body.response_type).toBe('ephemeral');
    const again = await f.slack.waitFor(
      'chat.postMessage',
      (c) => f.slack.callsOf('chat.postMessage').indexOf(c) >= posts,
    );
    expect(textOf(again)).toContain(`Requested by <@${STRANGER}>`);
  });

  it('Verify follows access.environments.<env>.verify: a user outside it is refused and audited; an SRE runs it', async () => {
    // Given: a report; verify in dev is limited to the sre role.
    const report = await f.diagnose('dev');

    // When: a user in no role clicks Verify.
    await f.click(STRANGER, buttonOf(report, 'verify'), refOf(report));

    // Then: refused through the response_url, naming the entry; no canary written; the denial audited.
    const refused = await f.slack.waitForResponse((r) => String(r.body.text).includes('You may not verify dev'));
    expect(refused.body.text).toContain('access.environments.dev.verify (sre)');
    await f.bot.idle();
    expect(f.slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(await f.audit('dev')).toEqual([
      expect.objectContaining({ event: 'denial', actor: expect.objectContaining({ userId: STRANGER }), env: 'dev' }),
    ]);

    // When: an SRE clicks Verify.
    await f.click(SRE, buttonOf(report, 'verify'), refOf(report));

    // Then: the verification runs (acked, then posted in the channel).
    await f.slack.waitForResponse((r) => /Verifying \*dev\*/.test(String(r.body.text)));
    const posted = await f.slack.waitFor(
      'chat.postMessage',
      (c) => /erif/.test(textOf(c)) && c.body.channel === CHANNEL,
    );
    expect(posted.body.channel).toBe(CHANNEL);
    await f.bot.idle();
  });
});
