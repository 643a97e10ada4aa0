import { describe, expect, it } from 'vitest';
import { alertKind } from '../../../../src/alerts/alert-kinds.js';
import { createEnvironmentResolver } from '../../../../src/alerts/environment-mapping.js';
import { sentByBot } from '../../../../src/chat/teams/alerts/alert-post-messages.js';
import { channelOf } from '../../../../src/chat/teams/activity.js';
import { parseTeamsAlertPost } from '../../../../src/chat/teams/alerts/parse-teams-alert-post.js';
import { CORPUS_ROUTING, loadCorpus, type ExpectedPost } from '../../../alerts/corpus.js';

/** The part of a Teams channel message activity the fixtures keep. */
interface TeamsMessageFixture {
  id: string;
  conversation: { id: string };
  from: { id: string; aadObjectId?: string };
  text?: string;
  attachments: unknown[];
}

const resolver = createEnvironmentResolver(CORPUS_ROUTING);
const corpus = loadCorpus<ExpectedPost>('teams');

describe("Teams alert post corpus: Alertmanager's Teams templates, prometheus-msteams, Grafana", () => {
  it('holds the templates the reader promises to handle, and posts it must leave alone', () => {
    expect(corpus.filter((f) => f.expected.alertPost).length).toBeGreaterThanOrEqual(5);
    expect(corpus.filter((f) => !f.expected.alertPost).length).toBeGreaterThanOrEqual(3);
  });

  it.each(corpus.map((f) => [f.name, f] as const))('%s', (_name, { input, expected }) => {
    // Given a channel message as Teams delivers it to the bot, when its cards are read,
    const m = input as TeamsMessageFixture;
    const before = structuredClone(input);
    const channel = channelOf(m.conversation.id);
    const post = parseTeamsAlertPost({ ...m, fromBot: sentByBot(m.from), channel, ts: m.id });
    expect(input).toEqual(before);
    if (!expected.alertPost) {
      expect(post).toBeUndefined();
      return;
    }
    // then the post reads as the expectations file says.
    expect(post).toMatchObject({ origin: 'teams', channel, ts: m.id, status: expected.status });
    expect(post?.firingCount).toBe(expected.firingCount);
    expect(post?.fromBot).toBe(expected.fromBot);
    expect(post?.groupValues).toEqual(expected.groupValues);
    expect(post?.alerts).toEqual(
      expected.alerts.map(({ alertname, status, labels, annotations }) =>
        annotations ? { alertname, status, labels, annotations } : { alertname, status, labels },
      ),
    );
    expect(resolver.resolvePost(post!).map((r) => r.resolution.env ?? null)).toEqual(expected.alerts.map((a) => a.env));
    expect(post?.alerts.map((a) => alertKind(a.alertname)?.alertname ?? null)).toEqual(
      expected.alerts.map((a) => a.kind),
    );
  });
});
