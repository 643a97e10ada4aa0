import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import { parseConfig } from '../../src/config/config.js';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { alertmanagerPayload, startTestBot, type TestBot } from '../support/bot-harness.js';
import { captureIo } from '../support/cli-io.js';

// Issue 9 item 9: names that are properties of every object (Object.prototype) must read as unknown
// environments, not crash the lookup.
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

describe('prototype property names as environment names', () => {
  let configPath: string;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'hostile-names-'));
    configPath = join(dir, 'session-ttl.yaml');
    writeFileSync(
      configPath,
      stringify({ environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } } }),
    );
  });

  it.each(PROTOTYPE_NAMES)('session-ttl diagnose %s is an unknown environment (exit 2, no stack)', async (name) => {
    const io = captureIo();
    const code = await runCli(['diagnose', name, '--config', configPath], io);
    expect(io.err()).toBe(`session-ttl: Unknown environment "${name}". Valid environments: dev.\n`);
    expect(code).toBe(2);
    expect(io.out()).toBe('');
  });

  it.each(PROTOTYPE_NAMES)('session-ttl verify and fix with %s name an unknown environment', async (name) => {
    const verify = captureIo();
    expect(await runCli(['verify', name, '--config', configPath], verify)).toBe(2);
    expect(verify.err()).toContain(`Unknown environment "${name}". Valid environments: dev.`);
    const fix = captureIo();
    expect(await runCli(['fix', name, 'set-eviction-policy', '--dry-run', '--config', configPath], fix)).toBe(2);
    expect(fix.err()).toContain(`Unknown environment "${name}"`);
    expect(verify.err() + fix.err()).not.toMatch(/unexpected error|\n\s+at /);
  });
});

describe('prototype property names through the real Bolt app and the Alertmanager webhook', () => {
  let h: TestBot;
  beforeAll(async () => {
    const config = parseConfig(
      {
        environments: { dev: { profile: 'development', redis: { url: sharedRedisUrl() } } },
        slack: { alertChannel: 'C0ALERTS' },
        access: { roles: { oncall: { users: ['U0ONCALL'] } }, environments: { dev: { verify: ['oncall'] } } },
      },
      'prototype-names',
    );
    h = await startTestBot({ config, registry: createCheckRegistry([ttlSampleCheck]), alerts: 'redis' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(PROTOTYPE_NAMES)('/session-ttl diagnose %s answers "Unknown environment" in the ack', async (name) => {
    const res = await h.slash(`diagnose ${name}`);
    expect(res.status).toBe(200);
    // Slack command words are read in lower case; `__proto__` is not a name at all.
    expect(res.json.text).toMatch(
      name === '__proto__'
        ? /could not read that command/
        : new RegExp(`Unknown environment "${name.toLowerCase()}"\\. Valid environments: dev\\.`),
    );
  });

  it.each(PROTOTYPE_NAMES)('/session-ttl verify %s answers "Unknown environment", not an error id', async (name) => {
    const res = await h.slash(`verify ${name}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).not.toMatch(/error id|reference|went wrong/i);
    expect(res.json.text).toMatch(
      name === '__proto__' ? /could not read that command/ : new RegExp(`Unknown environment "${name.toLowerCase()}"`),
    );
  });

  it('maps an alert labelled env=constructor (or __proto__) to no environment and asks for a mapping', async () => {
    h.slack.reset();
    for (const name of PROTOTYPE_NAMES) {
      // Given an alert whose env label, and a label named like a prototype property, name no environment.
      const res = await h.alertmanager(
        alertmanagerPayload({ alertname: 'SessionTTLViolations', labels: { env: name, ['__proto__']: 'dev' } }),
      );
      expect(res.status).toBe(200);
    }
    await h.bot.idle();
    // Then: each group is posted with its mapping request, and nothing failed.
    const posts = h.slack.callsOf('chat.postMessage');
    const asks = posts.filter((p) => /could not tell which environment/.test(String(p.body.text)));
    expect(asks).toHaveLength(PROTOTYPE_NAMES.length);
    expect(h.logs.lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
