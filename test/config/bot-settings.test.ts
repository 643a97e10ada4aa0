import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseBotSettings } from '../../src/config/bot-settings.js';

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

  it('names both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET when they are missing', () => {
    const r = parseBotSettings({});
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^SLACK_BOT_TOKEN is not set/);
    expect(problems[1]).toMatch(/^SLACK_SIGNING_SECRET is not set/);
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

describe('main.ts', () => {
  it('exits 2 naming each missing setting, without starting anything', { timeout: 120_000 }, () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env,
      encoding: 'utf8',
      // tsx compiles main.ts on start: seconds, tens of seconds on a loaded machine.
      timeout: 100_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN is not set');
    expect(r.stderr).toContain('SLACK_SIGNING_SECRET is not set');
  });

  it('exits 2 with the config error when the config file is missing', { timeout: 120_000 }, () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: SECRET,
      SESSION_TTL_CONFIG: '/nonexistent/session-ttl.yaml',
    };
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env,
      encoding: 'utf8',
      // tsx compiles main.ts on start: seconds, tens of seconds on a loaded machine.
      timeout: 100_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Invalid configuration in /nonexistent/session-ttl.yaml');
    expect(r.stderr).toContain('file not found');
  });
});
