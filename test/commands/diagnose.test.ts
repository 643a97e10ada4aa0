import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSourceCache, type SourceCache } from '../../src/app/sources.js';
import { diagnoseCommand, type DiagnoseCommandDeps } from '../../src/commands/diagnose.js';
import { createDispatcher } from '../../src/commands/dispatch.js';
import { createCommandRegistry } from '../../src/commands/registry.js';
import { parseConfig } from '../../src/config/config.js';
import { t } from '../../src/core/message.js';
import { ChatError, type PendingPost } from '../../src/core/ports/chat.js';
import { findingSpec } from '../../src/diagnostics/catalogue/finding-spec.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { recordingContext } from './recording-context.js';

/** A fixture check: reads the real Redis' DBSIZE and reports it. */
const dbsizeCheck = defineCheck({
  id: 'dbsize',
  summary: 'Reports DBSIZE (test fixture)',
  needs: ['redis'],
  findings: [
    findingSpec({
      id: 'fixture.dbsize',
      severity: { default: 'info' },
      evidence: z.object({ keys: z.number() }),
      scenarios: [],
    }),
  ],
  async run(ctx) {
    const info = await ctx.redis.nodes[0]!.info('keyspace');
    return [
      {
        id: 'fixture.dbsize',
        severity: 'info',
        title: 'Keys',
        detail: '',
        evidence: { keys: Object.keys(info).length },
      },
    ];
  },
});

describe('diagnose, as a chat-neutral command', () => {
  let sources: SourceCache;
  let deps: DiagnoseCommandDeps;
  const logs = captureLogs();

  beforeAll(() => {
    sources = createSourceCache({});
    deps = {
      config: parseConfig({ environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } }, 't'),
      registry: createCheckRegistry([dbsizeCheck]),
      sourcesFor: sources.sourcesFor,
    };
  });
  afterAll(() => sources.close());

  const run = async (extra: Partial<DiagnoseCommandDeps>, failPost?: Error, platform: 'slack' | 'teams' = 'slack') => {
    const dispatcher = createDispatcher({ commands: createCommandRegistry([diagnoseCommand({ ...deps, ...extra })]) });
    const r = recordingContext('diagnose dev', logs.logger, { failPost, actor: { platform, channelId: 'C9' } });
    await dispatcher.run(r.ctx);
    return r;
  };

  it('answers at once, then posts the report in the channel with who asked', async () => {
    const r = await run({});
    expect(r.replyTexts()).toEqual(['Diagnosing dev (dbsize) …']);
    expect(r.posts).toHaveLength(1);
    expect(JSON.stringify(r.posts[0]!.blocks)).toContain('finding:fixture.dbsize');
    expect(JSON.stringify(r.posts[0]!.blocks)).toContain('{"mentionUser":"U1"}');
  });

  it("gives the report to the person with the platform's advice when the bot may not post in the channel", async () => {
    const advice = [t('Add the bot to the team')];
    const kept: PendingPost[] = [];
    const r = await run(
      { postpone: async (p) => (kept.push(p), true) },
      new ChatError('not_in_channel', 'bot_not_member', advice),
      'teams',
    );
    const reply = r.replies[1]!;
    expect(reply.blocks[0]).toEqual({
      kind: 'context',
      id: 'not-posted',
      items: [
        [
          { icon: 'caution' },
          t(' I could not post in this channel (bot_not_member); this report is visible only to you. '),
          ...advice,
          t(' to share reports here.'),
        ],
      ],
    });
    expect(JSON.stringify(reply.blocks)).toContain('finding:fixture.dbsize');
    expect(kept).toEqual([]);
  });

  it('keeps the report for later when the platform is unavailable, and says it will follow', async () => {
    const kept: PendingPost[] = [];
    const r = await run(
      { postpone: async (p) => (kept.push(p), true) },
      new ChatError('unavailable', 'http_503'),
      'teams',
    );
    expect(r.replies[1]!.text).toMatch(
      /^I could not post the report in this channel \(http_503\); here it is, visible only to you\. I will post it in the channel once Teams takes it\./,
    );
    expect(kept).toEqual([expect.objectContaining({ channel: 'C9', kind: 'report' })]);
  });

  it('says to run it again later when the refusal is final', async () => {
    const r = await run({}, new ChatError('refused', 'invalid_blocks'));
    expect(r.replies[1]!.text).toContain(
      'Slack did not take the post (invalid_blocks); run the command again later to share it in the channel.',
    );
  });
});
