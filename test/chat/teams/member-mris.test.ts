// The Teams user ids (MRIs) of an approval request's people, for its refresh.userIds: learned from activities,
// kept in the state store, else asked of the Bot Connector (the fake on loopback, through the real client).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../../src/adapters/state/memory-state-store.js';
import { botConnector } from '../../../src/chat/teams/bot-connector.js';
import { memberMris, type MemberMris } from '../../../src/chat/teams/member-mris.js';
import type { StateStore } from '../../../src/core/ports/state-store.js';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/bot-connector.js';
import { captureLogs, type CapturedLogs } from '../slack/log-capture.js';

const MEGAN = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const ALEX = '7a2d3b4c-5e6f-4a70-9b8c-0d1e2f3a4b5c';
const GONE = '8b3e4c5d-6f70-4b81-8c9d-1e2f3a4b5c6d';
const MRI = { [MEGAN]: '29:1MeganOpaqueId', [ALEX]: '29:1AlexOpaqueId' };
const CHANNEL = '19:ops@thread.tacv2';

describe('memberMris: refresh.userIds as Teams wants them (user MRIs), from the access policy’s aad: ids', () => {
  let fake: FakeBotConnector;
  let logs: CapturedLogs;
  let store: StateStore;
  const at = () => ({ serviceUrl: fake.serviceUrl, conversationId: `${CHANNEL};messageid=1718032100123` });
  const resolver = (): MemberMris =>
    memberMris({
      connector: botConnector({ token: () => Promise.resolve('token'), logger: logs.logger }),
      store,
      logger: logs.logger,
    });

  beforeAll(async () => {
    fake = await startFakeBotConnector();
    fake.members.set(MEGAN, MRI[MEGAN]).set(ALEX, MRI[ALEX]);
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.memberLookups.length = 0;
    logs = captureLogs();
    store = memoryStateStore();
  });

  it('asks the connector by object id in the channel (not the thread), leaves out who it does not know', async () => {
    // Given an approval's audience: two Teams users, a Slack user, someone no longer in the team
    const audience = [`aad:${MEGAN}`, 'U0SLACK', `aad:${ALEX.toUpperCase()}`, `aad:${GONE}`];
    // When its card is rendered
    const ids = await resolver().refreshUserIds(at(), audience);
    // Then the two MRIs, looked up in the channel; the 404 left out at debug, no warning
    expect(ids).toEqual([MRI[MEGAN], MRI[ALEX]]);
    expect(fake.memberLookups).toEqual([
      { conversationId: CHANNEL, userId: MEGAN, status: 200 },
      { conversationId: CHANNEL, userId: ALEX, status: 200 },
      { conversationId: CHANNEL, userId: GONE, status: 404 },
    ]);
    const left = logs.lines.filter((l) => l.msg === "left a Teams user out of a card's refresh.userIds");
    expect(left).toMatchObject([{ level: 20, objectId: GONE, conversation: CHANNEL }]);
    expect(logs.lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('does not ask again for someone the connector did not find, for a while (every refresh would)', async () => {
    const mris = resolver();
    await mris.refreshUserIds(at(), [`aad:${GONE}`]);
    expect(await mris.refreshUserIds(at(), [`aad:${GONE}`])).toEqual([]);
    expect(fake.memberLookups.map((l) => [l.userId, l.status])).toEqual([[GONE, 404]]);
  });

  it('remembers an MRI an hour, and keeps it in the state store for the other replicas', async () => {
    const one = resolver();
    await one.refreshUserIds(at(), [`aad:${MEGAN}`]);
    expect(await one.refreshUserIds(at(), [`aad:${MEGAN}`])).toEqual([MRI[MEGAN]]);
    // Another replica over the same state store: no second lookup
    expect(await resolver().refreshUserIds(at(), [`aad:${MEGAN}`])).toEqual([MRI[MEGAN]]);
    expect(fake.memberLookups.map((l) => l.userId)).toEqual([MEGAN]);
  });

  it("learns a sender's MRI from a verified activity, without a call", async () => {
    const mris = resolver();
    mris.learn({ id: '29:1FromTheActivity', aadObjectId: GONE.toUpperCase() });
    mris.learn({ id: 'not-an-mri', aadObjectId: ALEX });
    expect(await mris.refreshUserIds(at(), [`aad:${GONE}`])).toEqual(['29:1FromTheActivity']);
    expect(fake.memberLookups).toEqual([]);
  });

  it('takes an answer only when it is an MRI of the person asked for; a Teams id that is one is used as it is', async () => {
    const WRONG = '9c4f5d6e-7081-4c92-9dae-2f3a4b5c6d7e';
    fake.members.set(WRONG, 'not-an-mri');
    const ids = await resolver().refreshUserIds(at(), [`aad:${WRONG}`, 'teams:29:1Guest', 'aad:contoso\\megan']);
    expect(ids).toEqual(['29:1Guest']);
    expect(fake.memberLookups.map((l) => l.userId)).toEqual([WRONG]);
    const whys = logs.lines
      .filter((l) => l.msg === "left a Teams user out of a card's refresh.userIds")
      .map((l) => l.why);
    expect(whys.sort()).toEqual(['not an object id', 'the connector answered an id that is not an MRI']);
  });

  it('names the first 60 people and one more, which tells the card the list was cut (Teams refreshes it for 60)', async () => {
    const crowd = Array.from({ length: 70 }, (_, i) => `teams:29:1user${i}`);
    expect(await resolver().refreshUserIds(at(), crowd)).toEqual(crowd.slice(0, 61).map((u) => u.slice(6)));
  });
});
