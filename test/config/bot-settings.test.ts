import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMainToExit } from '../support/bot-process.js';
import { describe, expect, it } from 'vitest';
import { inMemoryStateWarning, NO_CHAT_PLATFORM, parseBotSettings } from '../../src/config/bot-settings.js';

const SECRET = '8f742231b10e8888abcd99aaa85a5000';

describe('parseBotSettings', () => {
  it('reads HTTP mode with defaults', () => {
    const r = parseBotSettings({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: SECRET });
    expect(r).toEqual({
      ok: true,
      settings: {
        mode: 'http',
        botToken: 'xoxb-1-2-abc',
        signingSecret: SECRET,
        slackApiUrl: undefined,
        port: 3000,
        logLevel: 'info',
        expectedReplicas: 1,
      },
    });
  });

  it('reads Socket Mode when SLACK_APP_TOKEN is set (no signing secret needed) and normalises SLACK_API_URL', () => {
    const r = parseBotSettings({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1-A',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
      PORT: '8080',
      LOG_LEVEL: 'DEBUG',
    });
    expect(r.ok && r.settings).toMatchObject({
      mode: 'socket',
      appToken: 'xapp-1-A',
      slackApiUrl: 'http://127.0.0.1:9/api/',
      port: 8080,
      logLevel: 'debug',
    });
  });

  it('says no chat platform is configured, and names SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, when nothing is set', () => {
    for (const env of [{}, { SLACK_SIGNING_SECRET: ' ', SLACK_APP_TOKEN: '', TEAMS_APP_ID: '' }]) {
      const r = parseBotSettings(env);
      expect(r.ok).toBe(false);
      const problems = r.ok ? [] : r.problems;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toBe(NO_CHAT_PLATFORM);
      expect(problems[1]).toMatch(/^SLACK_BOT_TOKEN is not set/);
      expect(problems[2]).toMatch(/^SLACK_SIGNING_SECRET is not set/);
    }
    expect(NO_CHAT_PLATFORM).toMatch(
      /^No chat platform is configured: set Slack \(SLACK_BOT_TOKEN .*or Teams \(TEAMS_APP_ID/,
    );
  });

  it('lists every invalid setting at once and never echoes a value', () => {
    const env = {
      SLACK_BOT_TOKEN: 'xoxp-user-token-oops',
      SLACK_APP_TOKEN: 'not-an-app-token',
      SLACK_API_URL: 'ftp://x',
      PORT: '70000',
      LOG_LEVEL: 'loud',
    };
    const r = parseBotSettings(env);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_API_URL',
      'PORT',
      'LOG_LEVEL',
    ]);
    for (const v of Object.values(env)) expect(problems.join('\n')).not.toContain(v);
  });
});

describe('EXPECTED_REPLICAS (issue 19: the Deployment)', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: SECRET };

  it('runs several replicas only over a shared state Redis', () => {
    const r = parseBotSettings({ ...base, EXPECTED_REPLICAS: '3', STATE_REDIS_URL: 'redis://state:6379' });
    expect(r.ok && r.settings).toMatchObject({ expectedReplicas: 3, stateRedisUrl: 'redis://state:6379' });
    expect(parseBotSettings({ ...base, EXPECTED_REPLICAS: '1' })).toMatchObject({
      ok: true,
      settings: { expectedReplicas: 1 },
    });
  });

  it('refuses more than one replica without STATE_REDIS_URL, saying what to set', () => {
    for (const STATE_REDIS_URL of [undefined, '', '  ']) {
      const r = parseBotSettings({ ...base, EXPECTED_REPLICAS: '3', STATE_REDIS_URL });
      expect(r.ok).toBe(false);
      const problems = r.ok ? [] : r.problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^EXPECTED_REPLICAS is 3 but STATE_REDIS_URL is not set/);
      expect(problems[0]).toContain('session-ttl-bot-state');
      expect(problems[0]).toContain('EXPECTED_REPLICAS=1');
    }
  });

  it('names EXPECTED_REPLICAS when it is not a whole number of replicas, listed with the other problems', () => {
    for (const EXPECTED_REPLICAS of ['three', '0', '-1', '1.5', '2e3', '0x3']) {
      const r = parseBotSettings({ ...base, EXPECTED_REPLICAS });
      expect(r.ok ? [] : r.problems, EXPECTED_REPLICAS).toEqual([
        "EXPECTED_REPLICAS must be the Deployment's number of replicas, a whole number from 1 (e.g. 3), or unset for 1",
      ]);
    }
    const both = parseBotSettings({ SLACK_SIGNING_SECRET: SECRET, EXPECTED_REPLICAS: '2' });
    expect(both.ok ? [] : both.problems.map((p) => p.split(' ')[0])).toEqual(['SLACK_BOT_TOKEN', 'EXPECTED_REPLICAS']);
  });

  it('says what a crash loses when the state is in memory, and nothing when it is shared', () => {
    const memory = parseBotSettings(base);
    const shared = parseBotSettings({ ...base, STATE_REDIS_URL: 'redis://state:6379' });
    if (!memory.ok || !shared.ok) throw new Error('valid settings expected');
    expect(inMemoryStateWarning(memory.settings)).toMatch(/crash or restart loses accepted work/);
    expect(inMemoryStateWarning(memory.settings)).toMatch(/replicas do not share state/);
    expect(inMemoryStateWarning(shared.settings)).toBeUndefined();
  });
});

describe('main.ts', () => {
  it('exits 2 naming each missing setting, without starting anything', { timeout: 120_000 }, () => {
    const r = runMainToExit({});
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(NO_CHAT_PLATFORM);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN is not set');
    expect(r.stderr).toContain('SLACK_SIGNING_SECRET is not set');
  });

  it('exits 2 with the config error when the config file is missing', { timeout: 120_000 }, () => {
    const r = runMainToExit({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: SECRET,
      SESSION_TTL_CONFIG: '/nonexistent/session-ttl.yaml',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Invalid configuration in /nonexistent/session-ttl.yaml');
    expect(r.stderr).toContain('file not found');
  });

  it(
    'exits 2 refusing three replicas without STATE_REDIS_URL, before loading anything else',
    { timeout: 120_000 },
    () => {
      const r = runMainToExit({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: SECRET,
        EXPECTED_REPLICAS: '3',
        // The config file is never read: the settings are refused first.
        SESSION_TTL_CONFIG: '/nonexistent/session-ttl.yaml',
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('session-ttl-bot cannot start; fix these settings:');
      expect(r.stderr).toContain('EXPECTED_REPLICAS is 3 but STATE_REDIS_URL is not set');
      expect(r.stderr).toContain('Set STATE_REDIS_URL');
      expect(r.stderr).not.toContain('Invalid configuration');
    },
  );

  it(
    'exits 2 naming the unset token of an environment with gitops, before connecting anything',
    { timeout: 120_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'main-gitops-'));
      const config = join(dir, 'session-ttl.yaml');
      writeFileSync(
        config,
        [
          'environments:',
          '  prod:',
          '    profile: production',
          '    redis: { url: "redis://127.0.0.1:1" }',
          '    gitops: { provider: github, repo: example/gitops, files: { redisConfigMap: a.yaml }, tokenEnv: GITOPS_TOKEN }',
          '',
        ].join('\n'),
      );
      const r = runMainToExit({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: SECRET, SESSION_TTL_CONFIG: config });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('session-ttl-bot cannot start:');
      expect(r.stderr).toContain('GITOPS_TOKEN');
    },
  );
});
