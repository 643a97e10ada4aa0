import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/core/logging.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return {
    logger: createLogger({ level: 'debug', destination }),
    raw: () => lines.join(''),
    parsed: () => lines.map((l) => JSON.parse(l)),
  };
}

const SECRETS = {
  botToken: 'xoxb-123-456-abcdefBOT',
  appToken: 'xapp-1-A1-abcdefAPP',
  password: 'hunter2-redis-pass',
  signingSecret: 'signing-secret-0123456789',
  responseUrl: 'https://hooks.slack.com/commands/T1/123/zzzSECRET',
  signature: 'v0=' + 'a1'.repeat(32),
  bearer: 'Bearer sk-live-XYZ',
};

describe('createLogger redaction', () => {
  it.each([
    ['token', { token: SECRETS.botToken }],
    ['nested token', { client: { token: SECRETS.botToken } }],
    ['password', { password: SECRETS.password }],
    ['nested password', { redis: { password: SECRETS.password } }],
    ['authorization header', { headers: { authorization: SECRETS.bearer } }],
    ['request authorization header', { req: { headers: { authorization: SECRETS.bearer } } }],
    ['axios-style error config', { err: { config: { headers: { Authorization: SECRETS.bearer } } } }],
    ['response_url', { response_url: SECRETS.responseUrl }],
    ['body.response_url', { body: { response_url: SECRETS.responseUrl } }],
    ['command.response_url', { command: { response_url: SECRETS.responseUrl } }],
    [
      'botToken / appToken / signingSecret',
      { botToken: SECRETS.botToken, appToken: SECRETS.appToken, signingSecret: SECRETS.signingSecret },
    ],
    ['settings.*', { settings: { botToken: SECRETS.botToken, signingSecret: SECRETS.signingSecret } }],
    ['x-slack-signature header', { req: { headers: { 'x-slack-signature': SECRETS.signature } } }],
  ])('redacts %s', (_name, obj) => {
    const { logger, raw, parsed } = capture();
    logger.info(obj, 'something happened');
    for (const secret of Object.values(SECRETS)) expect(raw()).not.toContain(secret.replace(/^Bearer /, ''));
    expect(raw()).toContain('[Redacted]');
    expect(parsed()[0].msg).toBe('something happened');
  });

  it('scrubs token-shaped text from messages and string fields', () => {
    const { logger, raw } = capture();
    logger.warn(
      { note: `called with ${SECRETS.botToken}`, url: SECRETS.responseUrl },
      `auth failed for ${SECRETS.appToken} via redis://app:${SECRETS.password}@redis:6379`,
    );
    for (const secret of [SECRETS.botToken, SECRETS.appToken, SECRETS.responseUrl, SECRETS.password])
      expect(raw()).not.toContain(secret);
    expect(raw()).toContain('redis://app:[Redacted]@redis:6379');
  });

  it('keeps ordinary fields and binds request fields on a child logger', () => {
    const { logger, parsed } = capture();
    logger.child({ req: 'r1', user: 'U1', channel: 'C1', env: 'dev' }).info({ durationMs: 12 }, 'diagnosis posted');
    expect(parsed()[0]).toMatchObject({
      level: 30,
      service: 'session-ttl-bot',
      req: 'r1',
      user: 'U1',
      channel: 'C1',
      env: 'dev',
      durationMs: 12,
      msg: 'diagnosis posted',
    });
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
    const logger = createLogger({ level: 'warn', destination });
    logger.info('no');
    logger.warn('yes');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['yes']);
  });

  it('scrubSecrets leaves text without secrets alone', () => {
    expect(scrubSecrets('Redis at 10.0.0.1:6379 is unreachable')).toBe('Redis at 10.0.0.1:6379 is unreachable');
  });
});
