import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSourceCache } from '../../src/app/sources.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger, scrubSecrets } from '../../src/core/logging.js';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { resetSharedRedis, sharedRedisUrl } from '../support/shared-redis.js';

// Issue 9 item 14: every line the bot writes is one JSON object, and redaction hides values, not words.

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), raw: () => chunks.join('') };
}

describe('redaction hides values, not words', () => {
  it.each([
    'refused an Alertmanager notification with no bearer token',
    'refused an Alertmanager notification with a wrong bearer token',
    'send Authorization: Bearer <ALERTMANAGER_TOKEN>',
    'the Bearer authentication scheme',
    'Bearer token missing',
  ])('keeps "%s" as written', (text) => {
    const { logger, raw } = capture();
    logger.warn(text);
    expect(JSON.parse(raw()).msg).toBe(text);
    expect(scrubSecrets(text)).toBe(text);
  });

  it.each([
    ['a letters-only bearer token', 'Authorization: Bearer QwErTyUiOpAsDfGh', 'QwErTyUiOpAsDfGh'],
    ['a long lower-case bearer token', 'authorization: bearer abcdefghijklmnopqrstuvwx', 'abcdefghijklmnopqrstuvwx'],
    ['a bearer token with digits', 'Bearer sk-live-0123456789', 'sk-live-0123456789'],
    ['a JWT', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'eyJhbGciOiJIUzI1NiJ9'],
    ['Basic credentials', 'Authorization: Basic dXNlcjpodW50ZXIy', 'dXNlcjpodW50ZXIy'],
    ['a password in a URL query', 'redis://cache:6379/0?password=lettersonly', 'lettersonly'],
    ['a password in URL userinfo', 'rediss://app:s3cr/et@cache:6380', 's3cr/et'],
    ['password=', 'connect failed: password=hunterhunter', 'hunterhunter'],
    ['token= in a query string', 'GET /cb?code=1&token=abcdefabcdef', 'abcdefabcdef'],
    ['a JSON password field in text', 'body {"password":"correcthorse"}', 'correcthorse'],
  ])('hides %s', (_what, text, secret) => {
    const { logger, raw } = capture();
    logger.warn({ detail: text }, text);
    expect(raw()).not.toContain(secret);
    expect(raw()).toContain('[Redacted]');
  });
});

describe('ioredis writes nothing outside the log', () => {
  let admin: Redis;
  const warn = vi.spyOn(console, 'warn');
  beforeAll(async () => {
    admin = await resetSharedRedis();
    // Given a read-only user that may not run INFO: ioredis' ready check is refused (NOPERM).
    await admin.call('ACL', 'SETUSER', 'noinfo', 'on', '>noinfo-pass', '~*', '&*', '+@all', '-info');
    for (let i = 0; i < 5; i++) await admin.set(`session:s${i}`, '{}', 'EX', 3000);
  });
  afterEach(() => warn.mockClear());
  afterAll(async () => {
    warn.mockRestore();
    await admin.call('ACL', 'DELUSER', 'noinfo');
    admin.disconnect();
  });

  it('a diagnosis with INFO refused prints no "Skipping the ready check" line', async () => {
    warn.mockImplementation(() => undefined);
    const config = parseConfig(
      {
        environments: {
          dev: {
            profile: 'development',
            redis: { url: sharedRedisUrl(), usernameEnv: 'R_USER', passwordEnv: 'R_PASS' },
          },
        },
      },
      'output-hygiene',
    );
    const sources = createSourceCache({ R_USER: 'noinfo', R_PASS: 'noinfo-pass' });
    try {
      const report = await runDiagnosis(
        { config, registry: createCheckRegistry([ttlSampleCheck]), sourcesFor: sources.sourcesFor },
        { envName: 'dev', checkIds: ['ttl-sample'] },
      );
      expect(report.environment).toBe('dev');
    } finally {
      await sources.close();
    }
    // console.warn is where ioredis prints it: outside pino, a raw line among the JSON lines.
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });
});
