// Where the neutral places of a Teams request (a channel, a thread root) are in the Bot Connector's terms.
import { describe, expect, it } from 'vitest';
import { requestConversations } from '../../../src/chat/teams/request-conversations.js';

const CHANNEL = '19:ops@thread.tacv2';
const OTHER = '19:other@thread.tacv2';

describe('requestConversations', () => {
  it('in a channel thread: the channel and the root apart; posts, replies and updates in that thread', () => {
    const at = requestConversations({ id: `${CHANNEL};messageid=17`, conversationType: 'channel' });
    expect(at).toMatchObject({ channel: CHANNEL, root: '17' });
    expect(at.postIn(CHANNEL)).toBe(`${CHANNEL};messageid=17`);
    expect(at.threadIn(CHANNEL, '17')).toBe(`${CHANNEL};messageid=17`);
    expect(at.threadIn(CHANNEL, '42')).toBe(`${CHANNEL};messageid=42`);
    expect(at.updateIn({ channel: CHANNEL })).toBe(`${CHANNEL};messageid=17`);
  });

  it('another channel: a new post is a new thread there, a reply goes to the thread named', () => {
    const at = requestConversations({ id: `${CHANNEL};messageid=17`, conversationType: 'channel' });
    expect(at.postIn(OTHER)).toBe(OTHER);
    expect(at.threadIn(OTHER, '5')).toBe(`${OTHER};messageid=5`);
    expect(at.updateIn({ channel: OTHER })).toBe(OTHER);
  });

  it('a ref that names a thread conversation (kept before refs named channels) is updated there', () => {
    const at = requestConversations({ id: `${CHANNEL};messageid=17`, conversationType: 'channel' });
    expect(at.updateIn({ channel: `${CHANNEL};messageid=9` })).toBe(`${CHANNEL};messageid=9`);
    expect(at.postIn(`${CHANNEL};messageid=9`)).toBe(`${CHANNEL};messageid=17`);
  });

  it('in a chat (no threads): everything goes to the chat itself', () => {
    const at = requestConversations({ id: 'a:1-personal-chat', conversationType: 'personal' });
    expect(at.channel).toBe('a:1-personal-chat');
    expect(at.root).toBeUndefined();
    expect(at.postIn('a:1-personal-chat')).toBe('a:1-personal-chat');
    expect(at.threadIn('a:1-personal-chat', 'clicked-1')).toBe('a:1-personal-chat');
    expect(at.updateIn({ channel: 'a:1-personal-chat' })).toBe('a:1-personal-chat');
  });
});
