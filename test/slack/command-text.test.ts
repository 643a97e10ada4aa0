import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { MAX_COMMAND_TEXT, parseCommandText } from '../../src/slack/listeners/commands/command-text.js';

describe('parseCommandText', () => {
  it('trims, collapses whitespace (including non-breaking spaces) and lowercases', () => {
    expect(parseCommandText('  Diagnose \u00a0 PROD\tttl-sample  ')).toEqual({ subcommand: 'diagnose', args: ['prod', 'ttl-sample'] });
  });

  it('treats empty text as help', () => {
    expect(parseCommandText('   ')).toEqual({ subcommand: 'help', args: [] });
    expect(parseCommandText(undefined)).toEqual({ subcommand: 'help', args: [] });
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
        parseCommandText(text);
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
    expect(() => parseCommandText(`diagnose ${'a '.repeat(MAX_COMMAND_TEXT)}`)).toThrow(/longer than 300 characters/);
  });
});
