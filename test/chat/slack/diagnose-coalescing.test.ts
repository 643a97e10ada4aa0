import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/config.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { z } from 'zod';
import { findingSpec } from '../../../src/diagnostics/catalogue/finding-spec.js';
import { defineCheck } from '../../../src/diagnostics/define-check.js';
import { startTestBot, type TestBot } from '../../support/bot-harness.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';

describe('identical diagnoses requested while one is running', () => {
  let running: TestBot;
  let runs = 0;
  // Holds the first diagnosis open until both requests were acknowledged (instead of a pause that
  // hoped the second request would arrive in time).
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));

  // Fixture check: reads the real Redis clock once released, and counts how often it ran.
  const slowClock = defineCheck({
    id: 'slow-clock',
    summary: 'reads TIME once the test releases it (test fixture)',
    needs: ['redis'],
    findings: [
      findingSpec({
        id: 'fixture.time',
        severity: { default: 'info' },
        evidence: z.object({ t: z.number() }),
        scenarios: [],
      }),
    ],
    async run(ctx) {
      runs++;
      await released;
      const t = await ctx.redis.nodes[0]!.time();
      return [{ id: 'fixture.time', severity: 'info', title: 'Redis time', detail: '', evidence: { t } }];
    },
  });

  beforeAll(async () => {
    const config = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
      'test',
    );
    running = await startTestBot({ config, registry: createCheckRegistry([slowClock]), alerts: false });
  });
  afterAll(() => running?.close());

  it('runs one diagnosis and posts its report in each asking channel; a later request runs again', async () => {
    // When: two people in two channels ask for the same diagnosis at once.
    const { slack } = running;
    const send = (channel: string) => running.slash('diagnose dev', channel, channel);
    const [first, second] = await Promise.all([send('C0ONE'), send('C0TWO')]);

    // Then: the second is told it joined; one run; both channels get the same report.
    const acks = [first.json.text, second.json.text].sort();
    expect(acks[0]).toMatch(/^:hourglass_flowing_sand: A diagnosis of \*dev\* \(slow-clock\) is already running/);
    expect(acks[1]).toMatch(/^:hourglass_flowing_sand: Diagnosing \*dev\*/);
    release();
    await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C0ONE');
    await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C0TWO');
    expect(runs).toBe(1);
    const posts = slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[0]!.body.blocks).toEqual(posts[1]!.body.blocks);

    // And: once it finished, a new request runs a new diagnosis.
    await send('C0ONE');
    await slack.waitFor('chat.postMessage', () => slack.callsOf('chat.postMessage').length === 3);
    expect(runs).toBe(2);
  });
});
