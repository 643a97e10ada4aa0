import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  isPlainRef,
  MAX_COMMAND_TEXT,
  parseCommandText,
  usageLine,
  USAGE_HINT,
  usageOf,
} from '../../src/commands/command-text.js';
import type { Command } from '../../src/commands/context.js';
import { parseParams } from '../../src/commands/registry.js';

const SLASH = '/session-ttl';

describe('parseCommandText', () => {
  it('trims, collapses whitespace (including non-breaking spaces) and lowercases', () => {
    expect(parseCommandText('  Diagnose \u00a0 PROD\tttl-sample  ', SLASH)).toEqual({
      name: 'diagnose',
      args: ['prod', 'ttl-sample'],
    });
  });

  it('treats empty text as help', () => {
    expect(parseCommandText('   ', SLASH)).toEqual({ name: 'help', args: [] });
    expect(parseCommandText(undefined, SLASH)).toEqual({ name: 'help', args: [] });
  });

  it.each([
    ['diagnose dev; rm -rf /', 2],
    ['diagnose $(id)', 2],
    ['diagnose dev `whoami`', 3],
    ['diagnose <!channel>', 2],
    ['diagnose dev|cat', 2],
    ['diagnose ../etc', 2],
  ])('rejects %j with the usage line, naming the word', (text, word) => {
    const err = (() => {
      try {
        parseCommandText(text, SLASH);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('bad_command');
    expect((err as Error).message).toContain(`(word ${word})`);
    expect((err as Error).message).toContain('/session-ttl diagnose <env> [check ...]');
  });

  it('rejects text over the length limit', () => {
    expect(() => parseCommandText(`diagnose ${'a '.repeat(MAX_COMMAND_TEXT)}`, SLASH)).toThrow(
      /longer than 300 characters/,
    );
  });
});

describe('the usage line (issue 10 item 9)', () => {
  const verify: Command<string> = {
    name: 'verify',
    usage: 'verify <env>',
    summary: 'Verify',
    params: z.tuple([z.string()], { error: 'name one environment' }).transform(([env]) => env),
    run: async () => undefined,
  };

  it('is printed once after a subcommand error, the subcommand first and never repeated', () => {
    const message = (() => {
      try {
        parseParams(verify, [], SLASH);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message.match(/Usage:/g)).toHaveLength(1);
    expect(message.match(/\/session-ttl verify <env>/g)).toHaveLength(1);
    expect(message).toMatch(
      /\nUsage: `\/session-ttl verify <env>`\. Other commands: `\/session-ttl diagnose <env> \[check \.\.\.\]`, /,
    );
    expect(usageOf('verify <env>', SLASH)).toContain('`/session-ttl help`');
    expect(usageOf('verify <env>', 'session-ttl')).toMatch(/^Usage: `session-ttl verify <env>`/);
  });

  it('matches the usage hint of the Slack app manifest', () => {
    const manifest = parse(readFileSync(join(import.meta.dirname, '../../manifests/slack-app.yaml'), 'utf8')) as {
      features: { slash_commands: { usage_hint: string }[] };
    };
    expect(manifest.features.slash_commands[0]?.usage_hint).toBe(USAGE_HINT);
    for (const sub of ['diagnose', 'verify', 'audit', 'envs', 'help'])
      expect(usageLine(SLASH)).toContain(`/session-ttl ${sub}`);
  });
});

describe('a button ref', () => {
  it.each(['dev', 'prod-eu.1', 'a_b'])('%j is one plain word', (ref) => expect(isPlainRef(ref)).toBe(true));
  it.each(['', 'dev ttl-sample', 'dev;id', '-x', 'a'.repeat(65), '<!channel>'])('%j is refused', (ref) =>
    expect(isPlainRef(ref)).toBe(false),
  );
});
