import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../support/cli-io.js';

const run = async (...argv: string[]) => {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
};

describe('the terminal answers option mistakes in its own words, with the usage line', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await run('--version')).toEqual({ code: 0, out: `session-ttl ${version}\n`, err: '' });
  });

  it('an unknown option: named, with the closest known one and the command usage line, not Node parseArgs text', async () => {
    const r = await run('fix', 'dev', 'set-eviction-policy', '--dryrun');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'session-ttl: unknown option --dryrun (did you mean --dry-run?)\n' +
        'Usage: session-ttl fix <env> <action> --dry-run [--config FILE] [--param KEY=VALUE ...] [--json]\n' +
        '(session-ttl help lists every command and the exit codes)\n',
    );
    const far = await run('diagnose', 'dev', '--frobnicate');
    expect(far.err).toMatch(/^session-ttl: unknown option --frobnicate\nUsage: session-ttl diagnose <env> /);
    expect(`${r.err}${far.err}`).not.toMatch(/To specify a positional argument|Option '/);
  });

  it('an option without its value, one whose value would be the next option, and a flag given a value', async () => {
    const missing = await run('diagnose', 'dev', '--config');
    expect(missing.err).toMatch(/^session-ttl: --config needs a value: --config FILE\nUsage: session-ttl diagnose /);
    const ambiguous = await run('verify', 'dev', '--wait', '--json');
    expect(ambiguous.err).toMatch(
      /^session-ttl: --wait needs a value, but the next word is --json: write --wait SECONDS, or --wait=--json if the value starts with -\nUsage: session-ttl verify /,
    );
    const flag = await run('diagnose', 'dev', '--json=yes');
    expect(flag.err).toMatch(/^session-ttl: --json takes no value, got "--json=yes"\nUsage: session-ttl diagnose /);
    for (const r of [missing, ambiguous, flag]) {
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).not.toMatch(/ambiguous\.|Did you forget|Option '/);
    }
  });

  it('an unknown command lists every command', async () => {
    const r = await run('diagnoze', 'dev');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^session-ttl: unknown command "diagnoze"\nUsage:\n {2}session-ttl diagnose <env>/);
    expect(r.err).toContain('session-ttl audit <env> [count]');
  });
});
