import { describe, expect, it } from 'vitest';
import { teamsMessageLink } from '../../../../src/chat/teams/alerts/teams-link.js';
import { TEAMS_DEFAULTS } from '../../../../src/config/teams-settings.js';

const channel = '19:3997a8734ee5432bb9cdedb7c432ae7d@thread.tacv2';
const tenantId = '0d9b645f-597b-41f0-a2a3-ef103fbd91bb';

describe('teamsMessageLink: the documented deep link to a channel message', () => {
  it('a thread root: the message is its own parent, created at its id', () => {
    const link = teamsMessageLink(
      {
        channel,
        ts: '1648741500652',
        tenantId,
        groupId: '3606f714-ec2e-41b3-9ad1-6afb331bd35d',
        teamName: 'SRE team',
        channelName: 'alerts',
      },
      TEAMS_DEFAULTS.webUrl,
    );
    expect(link).toBe(
      'https://teams.microsoft.com/l/message/19%3A3997a8734ee5432bb9cdedb7c432ae7d%40thread.tacv2/1648741500652' +
        `?tenantId=${tenantId}&groupId=3606f714-ec2e-41b3-9ad1-6afb331bd35d&parentMessageId=1648741500652` +
        '&teamName=SRE+team&channelName=alerts&createdTime=1648741500652',
    );
  });

  it("a reply: its thread's root is the parent, from the thread's conversation id or threadTs", () => {
    const viaConversation = teamsMessageLink(
      {
        channel: `${channel};messageid=1648741500652`,
        ts: '1648741600000',
        tenantId,
      },
      TEAMS_DEFAULTS.webUrl,
    );
    const viaThread = teamsMessageLink(
      { channel, ts: '1648741600000', threadTs: '1648741500652', tenantId },
      TEAMS_DEFAULTS.webUrl,
    );
    expect(viaConversation).toBe(viaThread);
    const url = new URL(viaThread);
    expect(url.pathname).toBe(`/l/message/${encodeURIComponent(channel)}/1648741600000`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenantId,
      parentMessageId: '1648741500652',
      createdTime: '1648741600000',
    });
  });
});
