import { describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../../../src/adapters/state/memory-state-store.js';
import { conversationRefs } from '../../../../src/chat/teams/alerts/conversation-refs.js';
import { onInstallEvent } from '../../../../src/chat/teams/alerts/install-events.js';
import { FAKE_TENANT_ID } from '../../../fakes/teams-token-issuer.js';
import { captureLogs } from '../../slack/log-capture.js';
import { ALERT_CHANNEL, installActivity, TEAM } from './teams-alert-harness.js';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const verified = { claims: {}, serviceUrl: SERVICE_URL, tenantId: FAKE_TENANT_ID };
const NEW_CHANNEL = '19:newchannel0000000000000000000@thread.tacv2';

function setUp() {
  const refs = conversationRefs(memoryStateStore());
  const logs = captureLogs();
  const handle = (activity: unknown) => onInstallEvent(activity, verified, { refs, logger: logs.logger });
  return { refs, logs, handle };
}

/** A `conversationUpdate` of the team, with `channelData` over the install's. */
function teamEvent(channelData: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const install = installActivity(SERVICE_URL, ALERT_CHANNEL);
  return {
    ...install,
    type: 'conversationUpdate',
    action: undefined,
    channelData: { team: TEAM, ...channelData },
    ...extra,
  };
}

describe('Teams install and channel events keep where the bot may post', () => {
  it('the bot added to the team (teamMemberAdded): the channel and the General channel are kept', async () => {
    const { refs, handle } = setUp();
    await handle(
      teamEvent({ eventType: 'teamMemberAdded' }, { membersAdded: [{ id: installActivity('', '').recipient.id }] }),
    );
    expect(await refs.get(`${ALERT_CHANNEL};messageid=17`)).toMatchObject({ serviceUrl: SERVICE_URL, teamId: TEAM.id });
    expect(await refs.get(TEAM.id)).toMatchObject({ channelId: TEAM.id, groupId: TEAM.aadGroupId });
  });

  it('a person joining the team, or an event of a personal chat, keeps nothing', async () => {
    const { refs, handle, logs } = setUp();
    await handle(teamEvent({ eventType: 'teamMemberAdded' }, { membersAdded: [{ id: '29:someone' }] }));
    await handle({ ...installActivity(SERVICE_URL, 'a:personal'), channelData: { tenant: { id: FAKE_TENANT_ID } } });
    expect(await refs.get(ALERT_CHANNEL)).toBeUndefined();
    expect(
      logs.lines.filter((l) => l.msg === 'Teams conversation event with nothing for the alert channels'),
    ).toHaveLength(2);
  });

  it('a channel created is kept with its name; deleted, it is forgotten', async () => {
    const { refs, handle } = setUp();
    await handle(teamEvent({ eventType: 'channelCreated', channel: { id: NEW_CHANNEL, name: 'sessions-alerts' } }));
    expect(await refs.get(NEW_CHANNEL)).toMatchObject({ channelName: 'sessions-alerts', serviceUrl: SERVICE_URL });
    expect(await refs.get(ALERT_CHANNEL)).toBeUndefined();
    await handle(teamEvent({ eventType: 'channelDeleted', channel: { id: NEW_CHANNEL } }));
    expect(await refs.get(NEW_CHANNEL)).toBeUndefined();
  });

  it('an event that is not one (a malformed body) changes nothing and does not throw', async () => {
    const { refs, handle } = setUp();
    await handle({ type: 'installationUpdate', action: 'add', channelData: 'x' });
    expect(await refs.get(ALERT_CHANNEL)).toBeUndefined();
  });
});
