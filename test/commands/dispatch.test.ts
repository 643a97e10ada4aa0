import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commandMetrics } from '../../src/commands/command-metrics.js';
import type { Command } from '../../src/commands/context.js';
import { createDispatcher } from '../../src/commands/dispatch.js';
import { createCommandRegistry } from '../../src/commands/registry.js';
import { UserError } from '../../src/core/errors.js';
import { t } from '../../src/core/message.js';
import { captureLogs } from '../chat/slack/log-capture.js';
import { recordingContext } from './recording-context.js';

const echo: Command<string[]> = {
  name: 'echo',
  usage: 'echo <word ...>',
  summary: 'Says the words back',
  params: z.array(z.string()).min(1, 'name a word'),
  button: true,
  run: async (words) => ({ text: words.join(' '), blocks: [{ kind: 'section', text: [t(words.join(' '))] }] }),
};
const refuse: Command<void> = {
  name: 'refuse',
  usage: 'refuse',
  summary: 'Refuses',
  params: z.array(z.string()).transform(() => undefined),
  run: async () => {
    throw new UserError('You may not do that in `prod`.', 'denied');
  },
};
const crash: Command<void> = {
  name: 'crash',
  usage: 'crash',
  summary: 'Fails unexpectedly',
  params: z.array(z.string()).transform(() => undefined),
  run: async () => {
    throw new Error('socket hang up with secret detail');
  },
};

function setup() {
  const logs = captureLogs();
  const registry = new Registry();
  const dispatcher = createDispatcher({
    commands: createCommandRegistry([echo, refuse, crash]),
    metrics: commandMetrics(registry),
  });
  return { logs, registry, dispatcher };
}

describe('the command registry', () => {
  it('fails at start-up on a duplicate name', () => {
    expect(() => createCommandRegistry([echo, refuse, { ...echo, summary: 'again' }])).toThrow(
      /duplicate command "echo"/,
    );
  });
});

describe('the dispatcher (no chat platform involved)', () => {
  it('parses the text, validates the words and replies with what the command returns', async () => {
    const { logs, dispatcher } = setup();
    const r = recordingContext('  ECHO  hello   world ', logs.logger);
    await dispatcher.run(r.ctx);
    expect(r.replyTexts()).toEqual(['hello world']);
  });

  it('answers bad words with what was expected and the usage line of the platform', async () => {
    const { logs, dispatcher } = setup();
    const r = recordingContext('echo', logs.logger);
    await dispatcher.run(r.ctx);
    expect(r.replyTexts()[0]).toMatch(/^echo: name a word\.\nUsage: session-ttl echo <word \.\.\.>\. Other commands: /);
    const odd = recordingContext('echo $(id)', logs.logger);
    await dispatcher.run(odd.ctx);
    expect(odd.replyTexts()[0]).toMatch(/could not read that command \(word 2\)/);
  });

  it('tells a UserError in its own words (code spans kept), anything else as a reference with the details logged', async () => {
    const { logs, dispatcher } = setup();
    const refused = recordingContext('refuse', logs.logger);
    await dispatcher.run(refused.ctx);
    const section = refused.replies[0]!.blocks[0]!;
    expect(section).toMatchObject({ kind: 'section' });
    expect(section.kind === 'section' && section.text).toEqual([
      { icon: 'caution' },
      { text: ' ' },
      { text: 'You may not do that in ' },
      { text: 'prod', code: true },
      { text: '.' },
    ]);

    const crashed = recordingContext('crash', logs.logger);
    await dispatcher.run(crashed.ctx);
    const text = crashed.replyTexts()[0]!;
    const reference = /ERR-[A-Z0-9]+/.exec(text)?.[0];
    expect(reference).toBeDefined();
    expect(text).not.toContain('secret detail');
    expect(logs.lines.find((l) => l.reference === reference)).toMatchObject({
      level: 50,
      msg: 'unexpected error in session-ttl',
      err: expect.objectContaining({ message: 'socket hang up with secret detail' }),
    });
  });

  it('names the known commands for an unknown one, and records latency only under registered names', async () => {
    const { logs, dispatcher, registry } = setup();
    const r = recordingContext('frobnicate now', logs.logger);
    await dispatcher.run(r.ctx);
    expect(r.replyTexts()[0]).toBe('Unknown subcommand frobnicate. Try one of echo, refuse, crash.');
    await dispatcher.run(recordingContext('echo hi', logs.logger).ctx);
    const text = await registry.metrics();
    expect(text).toMatch(/session_ttl_bot_command_duration_seconds_count\{command="unknown"\} 1/);
    expect(text).toMatch(/session_ttl_bot_command_duration_seconds_count\{command="echo"\} 1/);
    expect(text).not.toContain('frobnicate');
  });

  it('re-enters a button as `<command> <ref>`; refuses a command without buttons or a ref of several words', async () => {
    const { logs, dispatcher } = setup();
    const ok = recordingContext('', logs.logger);
    await dispatcher.button(ok.ctx, { command: 'echo', ref: 'dev' });
    expect(ok.replyTexts()).toEqual(['dev']);
    for (const click of [
      { command: 'refuse', ref: 'dev' },
      { command: 'echo', ref: 'dev extra' },
      { command: 'nope', ref: 'dev' },
    ]) {
      const r = recordingContext('', logs.logger);
      await dispatcher.button(r.ctx, click);
      expect(r.replyTexts()).toEqual(['That button is not one I can act on.']);
    }
  });

  it('tells the person a command was interrupted by a restart, drops what it would still say, and waits for it', async () => {
    const { logs } = setup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const slow: Command<void> = {
      name: 'slow',
      usage: 'slow',
      summary: 'Takes its time',
      params: z.array(z.string()).transform(() => undefined),
      async run(_p, ctx) {
        await ctx.reply({ text: 'started', blocks: [] });
        await held;
        await ctx.post({ text: 'late report', blocks: [] }).catch(() => undefined);
        await ctx.update({ channel: 'C1', ts: '1' }, { text: 'finished: interrupted', blocks: [] });
        finished = true;
        return { text: 'late reply', blocks: [] };
      },
    };
    const dispatcher = createDispatcher({ commands: createCommandRegistry([slow]) });
    const stop = new AbortController();
    const r = recordingContext('slow', logs.logger, { interrupted: stop.signal });

    const running = dispatcher.run(r.ctx);
    await expect.poll(() => r.replies.length).toBe(1);
    stop.abort();
    await expect.poll(() => r.replies.length).toBe(2);
    expect(r.replyTexts()[1]).toBe(
      'session-ttl slow was interrupted by a restart of the bot before it finished; nothing more will be posted for it. Run it again: session-ttl slow',
    );
    expect(finished).toBe(false);
    release();
    await running;
    expect(finished).toBe(true);
    expect(r.posts).toEqual([]);
    expect(r.replies).toHaveLength(2);
    expect(r.updates.map((u) => u.message.text)).toEqual(['finished: interrupted']);
  });
});
