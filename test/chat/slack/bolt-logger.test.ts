import { LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createBoltLogger } from '../../../src/chat/slack/bolt-logger.js';
import { captureLogs } from './log-capture.js';

describe('createBoltLogger', () => {
  it("sends Bolt's lines through pino with redaction and keeps only the message and codes of errors", () => {
    const logs = captureLogs();
    const bolt = createBoltLogger(logs.logger);
    const err = Object.assign(new Error('An API error occurred: invalid_auth'), {
      code: 'slack_webapi_platform_error',
      data: { error: 'invalid_auth' },
      config: { headers: { Authorization: 'Bearer xoxb-leak-1' } },
    });
    bolt.error(err);
    bolt.warn('token xoxb-leak-2 in a message', { response_url: 'https://hooks.slack.com/commands/T/1/abc' });
    const raw = logs.raw();
    expect(raw).not.toContain('xoxb-leak');
    expect(raw).not.toContain('hooks.slack.com/commands');
    expect(logs.lines[0]).toMatchObject({
      component: 'bolt',
      level: 50,
      err: { code: 'slack_webapi_platform_error', slackError: 'invalid_auth' },
    });
    expect(logs.lines[1]).toMatchObject({ level: 40, detail: { response_url: '[Redacted]' } });
  });

  it('maps levels both ways', () => {
    const logs = captureLogs('info');
    const bolt = createBoltLogger(logs.logger);
    expect(bolt.getLevel()).toBe(LogLevel.INFO);
    bolt.debug('hidden');
    bolt.setLevel(LogLevel.DEBUG);
    bolt.debug('shown');
    expect(logs.lines.map((l) => l.msg)).toEqual(['shown']);
  });
});
