import { parseConfig } from '../../../src/config/config.js';
import { createCheckRegistry } from '../../../src/diagnostics/registry.js';
import { canaryKeys, startTestBot } from '../../../test/support/bot-harness.js';
import { heldCheck } from '../../../test/reliability/fixtures.js';
import { json, type ChaosContext, type Probe } from '../probe.js';

/** SIGTERM (the bot's stop) while a slash diagnosis runs past the grace period. */
const pastGrace = ({ slack, config }: ChaosContext): Probe => ({
  fault: 'SIGTERM during a slash diagnosis past the grace',
  expected: '"interrupted by a restart" + the command; nothing else',
  async run() {
    const held = heldCheck();
    const registry = createCheckRegistry([held.check]);
    const bot = await startTestBot({ slack, config, registry, extra: { graceMs: 200, lastWordsMs: 300 } });
    await bot.slash('diagnose dev held', 'chaos-cut');
    await held.entered.promise;
    await bot.bot.stop();
    const told = await slack.waitForResponse((r) => r.id === 'chaos-cut');
    held.release.resolve();
    const text = String(told.body.text);
    return {
      held: text.includes('interrupted by a restart') && text.includes('/session-ttl diagnose dev held'),
      observed: text.slice(0, 70),
    };
  },
});

/** SIGTERM while a slash diagnosis runs that ends within the grace period. */
const withinGrace = ({ slack, config }: ChaosContext): Probe => ({
  fault: 'SIGTERM during a slash diagnosis within the grace',
  expected: 'the report is posted',
  async run() {
    const held = heldCheck();
    const registry = createCheckRegistry([held.check]);
    const bot = await startTestBot({ slack, config, registry, extra: { graceMs: 5000 } });
    await bot.slash('diagnose dev held', 'chaos-ok', 'CGRACE');
    await held.entered.promise;
    const stopping = bot.bot.stop();
    held.release.resolve();
    const { drained } = await stopping;
    const post = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'CGRACE');
    return {
      held: drained && json(post.body).includes('Held check finished'),
      observed: `drained ${drained}; report posted`,
    };
  },
});

/** SIGTERM while `verify` waits between its readings: the canary goes, the message is finished. */
const duringVerify = ({ slack, registry, admin, redisUrl }: ChaosContext): Probe => ({
  fault: 'SIGTERM during verify (bot)',
  expected: 'canary removed; message finished',
  async run() {
    const cfg = parseConfig(
      { environments: { dev: { profile: 'development', redis: { url: redisUrl }, verify: { waitSeconds: 60 } } } },
      'chaos',
    );
    const bot = await startTestBot({ slack, config: cfg, registry, extra: { graceMs: 200, lastWordsMs: 3000 } });
    await bot.slash('verify dev', 'chaos-verify', 'CVERIFY');
    const waiting = await slack.waitFor('chat.update', (c) => c.body.channel === 'CVERIFY');
    const before = (await canaryKeys(admin)).length;
    await bot.bot.stop();
    const after = (await canaryKeys(admin)).length;
    const last = slack
      .callsOf('chat.update')
      .filter((c) => c.body.ts === waiting.body.ts)
      .at(-1);
    const finished = json(last?.body).includes('interrupted');
    return {
      held: before === 1 && after === 0 && finished,
      observed: `canaries ${before} -> ${after}; message ${finished ? 'finished' : 'left in progress'}`,
    };
  },
});

export const sigtermProbes = (ctx: ChaosContext): Probe[] => [pastGrace(ctx), withinGrace(ctx), duringVerify(ctx)];
