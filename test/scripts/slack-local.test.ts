import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

// The offline Slack driver of the README ("Driving the Slack flow without Slack"): the real bot, a fake
// Slack and the demo's store, driven by commands on stdin exactly as a contributor types them.
describe('npm run slack:local', { timeout: 180_000 }, () => {
  it('walks diagnose -> fix preview -> request -> a second SRE approves, printing what Slack would show', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/slack-local.ts')], {
      cwd: ROOT,
      input: [
        '/session-ttl diagnose demo',
        'click 1',
        'submit policy=volatile-lru',
        'as U0BOB',
        'click 6',
        'quit',
        '',
      ].join('\n'),
      encoding: 'utf8',
      timeout: 170_000,
      env: { ...process.env, LOG_LEVEL: 'error' },
    });
    const out = run.stdout;
    expect(run.status, run.stderr).toBe(0);
    expect(out).toMatch(/<< chat\.postMessage in C0LOCAL\n== Session TTL diagnosis: demo/);
    expect(out).toMatch(/\[1\] Set the Redis eviction policy…/);
    expect(out).toMatch(/<< views\.open: modal "Preview the change"\n.*Preparing the preview/);
    expect(out).toMatch(/<< views\.update: modal "Preview the change" +\(submit: Request approval\)/);
    expect(out).toMatch(/\(input param:policy\) maxmemory-policy: volatile-lru +\[volatile-lru \| volatile-lfu/);
    expect(out).toMatch(/\[6\] Approve {2}\[7\] Reject/);
    expect(out).toMatch(/>> U0BOB: click 6[\s\S]*Approved and applied[\s\S]*CONFIG SET maxmemory-policy volatile-lru/);
  });
});
