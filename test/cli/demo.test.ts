import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCommand } from '../../src/cli/demo-command.js';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo as cliIo } from '../support/cli-io.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import type { Report } from '../../src/diagnostics/types.js';
import { captureIo } from '../support/cli-io.js';

describe('session-ttl demo', () => {
  it('diagnoses the seeded faulty store and the demo cluster state', async () => {
    const c = captureIo();
    const code = await demoCommand({ registry: createCheckRegistry(allChecks), io: c, json: true });
    expect(code).toBe(0);
    const report = JSON.parse(c.out()) as Report;
    expect(report.environment).toBe('demo');
    expect(report.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'eviction.allkeys_policy',
        'memory.high_usage',
        'ttl.no_expiry',
        'ttl.effective_below_configured',
        'config.stale_pods',
        'config.env_override_mismatch',
      ]),
    );
    const below = report.findings.find((f) => f.id === 'ttl.effective_below_configured');
    expect(below?.evidence.apparentTtlSeconds).toBe(3600);
    expect(report.checks.filter((ch) => ch.status === 'error')).toEqual([]);
    // The demo's cluster is a manifests directory: no pod log to search, deletion-counters decides (issue 18 item 7).
    expect(report.checks.filter((ch) => ch.status === 'skipped').map((ch) => ch.id)).toEqual(['deletions']);
    expect(report.scenarios[0]).toMatchObject({ scenario: 1, likelihood: 'likely' });
  });

  it('exits 0 with criticals on purpose, says so, and ends with a command that runs from a checkout (npx)', async () => {
    const c = captureIo();
    const code = await demoCommand({ registry: createCheckRegistry(allChecks), io: c, json: false, sessions: 5000 });
    expect(code).toBe(0);
    expect(c.out()).toMatch(/Session TTL diagnosis: demo {2}CRITICAL/);
    expect(c.out()).toContain('The demo exits 0 although it found critical findings: it planted them');
    const last = c.out().trimEnd().split('\n').at(-1)!;
    expect(last).toBe(
      'Then, on your own Redis: cp session-ttl.example.yaml session-ttl.yaml, edit it, then run: npx session-ttl diagnose <env>',
    );
  });

  it('every command it prints runs as printed afterwards, with no config file (demo is a built-in environment)', async () => {
    const c = captureIo();
    expect(await demoCommand({ registry: createCheckRegistry(allChecks), io: c, json: false, sessions: 5000 })).toBe(0);
    // Every `session-ttl …` the demo printed (the report's Next: line, the previews, the closing lines), less
    // the one with a placeholder to fill in.
    const printed = [...c.out().matchAll(/(?:npx )?session-ttl ((?:diagnose|verify|fix|envs|status|demo)\b[^·\n)]*)/g)]
      .map((m) => m[1]!.trim())
      .filter((cmd) => !cmd.includes('<'));
    expect(printed).toEqual(
      expect.arrayContaining([
        'diagnose demo',
        'verify demo',
        'fix demo set-eviction-policy --dry-run',
        'fix demo tune-aof --dry-run',
      ]),
    );
    // A fix the bot could not perform on the demo (its cluster state is read from manifests) says why instead.
    expect(c.out()).toContain('no button here: Environment "demo" has no live Kubernetes cluster configured.');
    // No session-ttl.yaml: as right after `npm run demo` in a fresh checkout.
    const env = { SESSION_TTL_CONFIG: join(mkdtempSync(join(tmpdir(), 'demo-next-')), 'session-ttl.yaml') };
    for (const cmd of new Set(printed)) {
      const run = cliIo(env);
      const code = await runCli(cmd.split(' '), run, { demoSessions: 2000 });
      // A preview exits 0, diagnose 1 on the planted criticals, verify 0 or 1 (the canary may be evicted): all ran.
      const expected = cmd.startsWith('fix ') ? [0] : cmd.startsWith('diagnose ') ? [1] : [0, 1];
      expect(expected, `${cmd} exited ${code}: ${run.err()}`).toContain(code);
      expect(run.err()).toContain('using the built-in demo environment');
      expect(run.err()).not.toContain('Unknown environment');
      if (cmd.startsWith('fix ')) expect(run.out()).toContain(`Preview: `);
      if (cmd.startsWith('diagnose ')) expect(run.out()).toMatch(/Session TTL diagnosis: demo {2}CRITICAL/);
    }
  });

  it('says how to install redis-server and exits 2 when it is missing', async () => {
    const c = captureIo();
    const code = await demoCommand({
      registry: createCheckRegistry(allChecks),
      io: c,
      json: false,
      redisServerBin: '/nonexistent/redis-server',
    });
    expect(code).toBe(2);
    expect(c.err()).toMatch(/needs redis-server on PATH[\s\S]*apt-get install redis-server/);
    expect(c.out()).toBe('');
  });
});
