// Fixes asked for in Teams channel threads: the Teams front end names the channel (`19:x@thread.tacv2`) to the
// chat-neutral core and keeps the thread's root apart, so the policy and the audit see channel ids, and the
// results are replies in the thread (`…/conversations/{channel};messageid={root}/activities/{root}`).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { firingNotification } from '../support/bot-harness.js';
import { installActivity } from '../chat/teams/alerts/teams-alert-harness.js';
import type { ConnectorCall } from '../fakes/bot-connector.js';
import {
  actionOf,
  cardOf,
  executeActions,
  posted,
  REQUESTER,
  startTeamsFlow,
  TEAMS_CHANNEL,
  type PostedCard,
  type TeamsFlow,
} from './teams-flow-harness.js';

const rootOf = (card: PostedCard) => card.conversationId.split(';messageid=')[1];
const summary = (c: ConnectorCall) => String(c.body.summary);

/** REQUESTER previews the fix of `report` and submits it with volatile-lru; the connector calls it caused. */
async function fixFrom(t: TeamsFlow, report: PostedCard): Promise<ConnectorCall[]> {
  const fix = actionOf(report.card, 'fix:set-eviction-policy');
  const preview = await t.click(REQUESTER, report, fix.verb, fix.data);
  const submit = actionOf(preview.value, 'preview');
  const before = t.connector.calls.length;
  await t.click(REQUESTER, report, 'preview', { ...submit.data, 'param:policy': 'volatile-lru' });
  await t.f.bot.idle();
  return t.connector.calls.slice(before);
}

/** The result posted in the thread of `report`, and the report marked fixed in place, among `calls`. */
function appliedIn(report: PostedCard, calls: ConnectorCall[]) {
  return {
    applied: calls.find((c) => c.kind === 'reply' && summary(c).includes('Applied set-eviction-policy')),
    marked: calls.find((c) => c.kind === 'update' && c.activityId === report.activityId),
  };
}

describe('Teams fixes in channel threads (issue 22)', () => {
  let t: TeamsFlow;
  beforeAll(async () => {
    t = await startTeamsFlow();
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await t.f.reset();
    t.connector.calls.length = 0;
  });

  it('a fix asked for in a thread of an allowed channel is allowed, audited with the channel id, answered in the thread', async () => {
    // Given: a dev report (no approval needed) in the thread of the message that asked for it
    const report = await t.diagnose('dev', REQUESTER);
    const root = rootOf(report);
    expect(report.conversationId).toBe(`${TEAMS_CHANNEL};messageid=${root}`);

    // When: the requester previews its fix and submits it
    const calls = await fixFrom(t, report);

    // Then: applied, and the audit names the channel by its id
    expect(await t.f.configGet('maxmemory-policy')).toBe('volatile-lru');
    const audit = await t.f.audit('dev');
    expect(audit.map((e) => e.event)).toContain('apply');
    expect(audit.map((e) => e.channelId)).toEqual(audit.map(() => TEAMS_CHANNEL));
    // The result is a reply to the thread's root in the thread's conversation; the report is marked there
    const { applied, marked } = appliedIn(report, calls);
    expect(applied).toMatchObject({ conversationId: report.conversationId, activityId: root });
    expect(applied!.body.replyToId).toBe(root);
    expect(marked?.conversationId).toBe(report.conversationId);
    expect(JSON.stringify(cardOf(marked!))).toMatch(/Fixed: .*set-eviction-policy/);
  });

  it('a fix asked for in a thread of a channel access.channels does not name is refused, naming the channel id', async () => {
    // Given: a report in a thread of another channel of the team (reading works anywhere)
    const elsewhere = '19:elsewhere@thread.tacv2';
    const report = await t.diagnose('prod', REQUESTER, elsewhere);
    const fix = actionOf(report.card, 'fix:set-eviction-policy');

    // When: an SRE clicks its fix
    const refused = await t.click(REQUESTER, report, fix.verb, fix.data);

    // Then: refused in words naming the channel's id (not the thread's), nothing prepared, the denial audited there
    const text = JSON.stringify(refused.value);
    expect(text).toContain(`add this channel (${elsewhere}) to access.channels`);
    expect(text).not.toContain(';messageid=');
    expect(executeActions(refused.value)).toEqual([]);
    expect((await t.f.audit('prod')).map((e) => [e.event, e.channelId])).toEqual([['denial', elsewhere]]);
  });
});

describe('a Teams fix from an alert diagnosis (issue 22)', () => {
  let t: TeamsFlow;
  beforeAll(async () => {
    t = await startTeamsFlow({ alerts: true, teamsAlertChannel: TEAMS_CHANNEL });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs in the alert thread and marks the diagnosis fixed in place', async () => {
    // Given: the app installed in the Teams alert channel, and a dev alert: its card, its diagnosis in its thread
    await t.f.reset();
    const signed = `Bearer ${await t.issuer.sign(t.connector.serviceUrl)}`;
    expect((await t.send(installActivity(t.connector.serviceUrl, TEAMS_CHANNEL), signed)).status).toBe(200);
    t.connector.calls.length = 0;
    expect((await t.f.alertmanager(firingNotification('dev', 'teams-fix'))).status).toBe(200);
    await t.f.bot.idle();
    const card = t.connector.calls.find((c) => c.kind === 'send' && c.conversationId === TEAMS_CHANNEL);
    const reply = t.connector.calls.find((c) => c.kind === 'reply' && /diagnosis for dev/.test(summary(c)));
    expect(card && reply).toBeTruthy();
    const diagnosis = posted(reply!);
    expect(diagnosis.conversationId).toBe(`${TEAMS_CHANNEL};messageid=${card!.responseId}`);

    // When: the requester fixes it from the diagnosis
    const calls = await fixFrom(t, diagnosis);

    // Then: the result in the alert's thread, the diagnosis marked fixed in its thread, the audit naming the channel
    const { applied, marked } = appliedIn(diagnosis, calls);
    expect(applied).toMatchObject({ conversationId: diagnosis.conversationId, activityId: card!.responseId });
    expect(marked?.conversationId).toBe(diagnosis.conversationId);
    expect(JSON.stringify(cardOf(marked!))).toMatch(/Fixed: .*set-eviction-policy/);
    expect(new Set((await t.f.audit('dev')).map((e) => e.channelId))).toEqual(new Set([TEAMS_CHANNEL]));
  });
});
