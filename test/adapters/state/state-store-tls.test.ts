import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/adapters/state/open-state-store.js';
import { parseBotSettings } from '../../../src/config/bot-settings.js';
import { captureLogs } from '../../chat/slack/log-capture.js';
import { eventually } from '../../support/eventually.js';
import { makeTlsCerts, startTlsRedis, type TlsCerts, type TlsRedisHandle } from '../../support/tls-certs.js';

const BASE = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'a'.repeat(32) };

describe('the state store over TLS: STATE_REDIS_URL rediss:// and STATE_REDIS_TLS_* (issue 20)', () => {
  let certs: TlsCerts;
  let server: TlsRedisHandle;
  let mutual: TlsRedisHandle;

  beforeAll(async () => {
    certs = makeTlsCerts();
    [server, mutual] = await Promise.all([startTlsRedis(certs), startTlsRedis(certs, { mutual: true })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), mutual?.stop()]);
    certs?.remove();
  });

  /** The bot's settings from `env`, as main.ts reads them, and the state store it opens with them. */
  function openFromEnv(env: NodeJS.ProcessEnv) {
    const r = parseBotSettings({ ...BASE, ...env });
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const logs = captureLogs();
    const { stateRedisUrl: url, stateRedisTls: tls } = r.settings;
    return { state: openStateStore({ url, logger: logs.logger, ...(tls ? { tls } : {}) }), logs };
  }

  it('keeps the state in a TLS-only Redis whose certificate a private CA signed', async () => {
    // Given: STATE_REDIS_URL rediss:// and the private CA in STATE_REDIS_TLS_CA_FILE.
    const { state } = openFromEnv({ STATE_REDIS_URL: server.url, STATE_REDIS_TLS_CA_FILE: certs.caFile });
    try {
      // When: the bot claims an alert and writes its audit.
      expect(await state.store.claim('dedupe:event:tls-1', 'r1', 60_000)).toBe(true);
      expect(await state.store.claim('dedupe:event:tls-1', 'r2', 60_000)).toBe(false);
      await state.streams.append('audit:tls', { who: 'U1' }, 100);

      // Then: it is in that Redis (read with a client of our own), and the store answers PING for /readyz.
      const reader = new Redis(server.url, { tls: { ca: readFileSync(certs.caFile) } });
      try {
        expect(await reader.get('session-ttl-bot:dedupe:event:tls-1')).toBe('r1');
      } finally {
        reader.disconnect();
      }
      expect(await state.ping(5000)).toEqual({ ok: true });
    } finally {
      await state.close();
    }
  }, 60_000);

  it('uses a client certificate for mutual TLS (STATE_REDIS_TLS_CERT_FILE / _KEY_FILE)', async () => {
    const { state } = openFromEnv({
      STATE_REDIS_URL: mutual.url,
      STATE_REDIS_TLS_CA_FILE: certs.caFile,
      STATE_REDIS_TLS_CERT_FILE: certs.clientCert,
      STATE_REDIS_TLS_KEY_FILE: certs.clientKey,
    });
    try {
      expect(await state.store.claim('dedupe:event:mtls-1', 'r1', 60_000)).toBe(true);
      expect(await state.store.get('dedupe:event:mtls-1')).toBe('r1');
    } finally {
      await state.close();
    }
  }, 60_000);

  it('says which certificate problem keeps it from the state Redis, naming the env var, in /readyz and the log', async () => {
    const { state, logs } = openFromEnv({ STATE_REDIS_URL: server.url, STATE_REDIS_TLS_CA_FILE: certs.otherCaFile });
    try {
      const ping = await state.ping(5000);
      expect(ping.ok).toBe(false);
      expect(ping.detail).toMatch(
        /TLS failed: the server's certificate is not signed by the CA in STATE_REDIS_TLS_CA_FILE/,
      );
      await expect(state.store.get('anything')).rejects.toThrow(/STATE_REDIS_TLS_CA_FILE/);
      const warning = await eventually('the start-up warning', () =>
        logs.lines.find((l) => /does not answer/.test(String(l.msg))),
      );
      expect(warning?.reason).toMatch(/not signed by the CA in STATE_REDIS_TLS_CA_FILE/);
      expect(logs.raw()).not.toContain('PRIVATE KEY');
    } finally {
      await state.close();
    }
  }, 60_000);

  it('refuses to start on TLS settings it cannot use, naming the variable and the file', () => {
    const problems = (env: NodeJS.ProcessEnv) => {
      const r = parseBotSettings({ ...BASE, ...env });
      return r.ok ? [] : r.problems;
    };
    const missing = join(certs.dir, 'missing-ca.crt');
    expect(problems({ STATE_REDIS_URL: server.url, STATE_REDIS_TLS_CA_FILE: missing })).toEqual([
      `STATE_REDIS_TLS_CA_FILE: cannot read ${missing}: file not found (ENOENT)`,
    ]);
    expect(problems({ STATE_REDIS_URL: 'redis://127.0.0.1:6379', STATE_REDIS_TLS_CA_FILE: certs.caFile })).toEqual([
      'STATE_REDIS_TLS_CA_FILE set: write STATE_REDIS_URL as rediss://host:port (TLS)',
    ]);
    expect(problems({ STATE_REDIS_TLS_CA_FILE: certs.caFile })[0]).toMatch(/STATE_REDIS_URL is not/);
    expect(problems({ STATE_REDIS_URL: server.url, STATE_REDIS_TLS_CERT_FILE: certs.clientCert })).toEqual([
      'STATE_REDIS_TLS_CERT_FILE and STATE_REDIS_TLS_KEY_FILE go together (mutual TLS): set both',
    ]);
    const swapped = problems({ STATE_REDIS_URL: server.url, STATE_REDIS_TLS_CA_FILE: certs.clientKey });
    expect(swapped).toEqual([
      `STATE_REDIS_TLS_CA_FILE: ${certs.clientKey} does not hold a PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
  });
});
