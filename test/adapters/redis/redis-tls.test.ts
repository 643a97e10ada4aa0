import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../../src/cli/run-cli.js';
import { parseConfig } from '../../../src/config/config.js';
import { openCanaryRedis } from '../../../src/adapters/redis/canary-redis.js';
import { keyspaceFeedOpener } from '../../../src/adapters/redis/keyspace-feed.js';
import { openRedisAdmin, redisAdminOptions } from '../../../src/adapters/redis/redis-admin.js';
import { eventually } from '../../support/eventually.js';
import type { Report } from '../../../src/diagnostics/types.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { makeTlsCerts, startTlsRedis, type TlsCerts, type TlsRedisHandle } from '../../support/tls-certs.js';
import { captureIo } from '../../support/cli-io.js';

/** Sessions as an app writes them, on a Redis that evicts any key (the runbook's Scenario 1). */
async function seed(client: Redis): Promise<void> {
  await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
  const now = Math.floor(Date.now() / 1000);
  const p = client.pipeline();
  for (let i = 0; i < 300; i++) {
    const age = i * 10;
    p.set(`session:s${i}`, JSON.stringify({ user_id: `u${i}`, created_at: now - age }), 'EX', 3600 - age);
  }
  await p.exec();
  await client.quit();
}

describe('redis.tls: the session store over TLS with a private CA (issue 20)', () => {
  let certs: TlsCerts;
  let plain: RedisServerHandle;
  let tls: TlsRedisHandle;
  let mutual: TlsRedisHandle;
  const tlsClient = (url: string, extra: object = {}) =>
    new Redis(url, { tls: { ca: readFileSync(certs.caFile), ...extra }, maxRetriesPerRequest: 1 });

  beforeAll(async () => {
    certs = makeTlsCerts();
    [plain, tls, mutual] = await Promise.all([
      startRedisServer(),
      startTlsRedis(certs),
      startTlsRedis(certs, { mutual: true }),
    ]);
    await Promise.all([
      seed(new Redis(plain.url)),
      seed(tlsClient(tls.url)),
      seed(tlsClient(mutual.url, { cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) })).then(
        async () => {
          const c = tlsClient(mutual.url, { cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });
          await c.config('SET', 'notify-keyspace-events', 'K$gx');
          c.disconnect();
        },
      ),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([plain?.stop(), tls?.stop(), mutual?.stop()]);
    certs?.remove();
  });

  /** `session-ttl diagnose dev --json` with `redis` as the environment's Redis settings. */
  async function diagnose(redis: Record<string, unknown>, name = 'dev'): Promise<{ code: number; report: Report }> {
    const path = join(certs.dir, `${name}.yaml`);
    const config = { environments: { dev: { profile: 'development', redis } }, defaults: { rateWindowMs: 200 } };
    writeFileSync(path, stringify(config));
    const io = captureIo();
    const code = await runCli(['diagnose', 'dev', '--config', path, '--json'], io);
    expect(io.err()).toBe('');
    return { code, report: JSON.parse(io.out()) as Report };
  }
  /** `diagnose dev --full --json` of the mutual-TLS Redis. */
  async function runFull(redis: Record<string, unknown>): Promise<Report> {
    const path = join(certs.dir, 'full.yaml');
    writeFileSync(path, stringify({ environments: { dev: { profile: 'development', redis } } }));
    const io = captureIo();
    await runCli(['diagnose', 'dev', '--full', '--config', path, '--json'], io);
    expect(io.err()).toBe('');
    return JSON.parse(io.out()) as Report;
  }
  const findings = (r: Report) => r.findings.map((f) => `${f.id}:${f.severity}`).sort();

  it('diagnoses over TLS with a private CA: the same findings as over plain TCP', async () => {
    // Given: the same sessions on a plain Redis and on a TLS-only Redis whose certificate a private CA signed.
    // When: both are diagnosed; the TLS one with the CA named in redis.tls.caFile (relative to the config).
    const overTcp = await diagnose({ url: plain.url }, 'tcp');
    const overTls = await diagnose({ url: tls.url, tls: { caFile: 'ca.crt' } }, 'tls');

    // Then: the findings are the same, and the eviction risk is among them (the checks read the store).
    expect(findings(overTls.report)).toEqual(findings(overTcp.report));
    expect(overTls.report.findings.map((f) => f.id)).not.toContain('redis.unreachable');
    expect(overTls.report.findings.map((f) => f.id)).not.toContain('redis.tls');
    expect(JSON.stringify(overTls.report)).toContain('allkeys-lru');
    expect(overTls.code).toBe(overTcp.code);
  }, 120_000);

  it('diagnoses over mutual TLS with the client certificate, and names the missing one without it', async () => {
    const withCert = await diagnose({
      url: mutual.url,
      tls: { caFile: certs.caFile, certFile: certs.clientCert, keyFile: certs.clientKey },
    });
    const ids = withCert.report.findings.map((f) => f.id);
    expect(ids).not.toContain('redis.unreachable');
    expect(ids).not.toContain('redis.tls');
    expect(JSON.stringify(withCert.report)).toContain('allkeys-lru');

    const withoutCert = await diagnose({ url: mutual.url, tls: { caFile: certs.caFile } });
    const tlsFinding = withoutCert.report.findings.find((f) => f.id === 'redis.tls');
    expect(tlsFinding?.detail, JSON.stringify(withoutCert.report.findings)).toMatch(/client certificate/);
    expect(withoutCert.report.findings.map((f) => f.id)).not.toContain('redis.unreachable');

    const stranger = await diagnose({
      url: mutual.url,
      tls: { caFile: certs.caFile, certFile: certs.strangerCert, keyFile: certs.strangerKey },
    });
    expect(stranger.report.findings.find((f) => f.id === 'redis.tls')?.detail).toMatch(/client certificate/);
  }, 120_000);

  it('names a wrong CA in a redis.tls finding, not "unreachable"', async () => {
    const { report } = await diagnose({ url: tls.url, tls: { caFile: certs.otherCaFile } });
    const ids = report.findings.map((f) => f.id);
    expect(ids).toContain('redis.tls');
    expect(ids).not.toContain('redis.unreachable');
    const finding = report.findings.find((f) => f.id === 'redis.tls')!;
    expect(finding.severity).toBe('critical');
    expect(finding.detail).toContain(`Redis at 127.0.0.1:${tls.port}`);
    // redis-server sends its CA with the certificate: the chain ends in a CA the bot was not given.
    expect(finding.detail).toMatch(
      /not signed by the CA in caFile.*\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)\.$/,
    );
    expect(finding.evidence.code).toMatch(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);

    // rejectUnauthorized: false encrypts without checking: the same server is then diagnosed.
    const unchecked = await diagnose({ url: tls.url, tls: { caFile: certs.otherCaFile, rejectUnauthorized: false } });
    expect(unchecked.report.findings.map((f) => f.id)).not.toContain('redis.tls');
    expect(JSON.stringify(unchecked.report)).toContain('allkeys-lru');
  }, 120_000);

  it('names an expired server certificate', async () => {
    const expired = await startTlsRedis(certs, { cert: certs.expiredCert, key: certs.expiredKey });
    try {
      const { report } = await diagnose({ url: expired.url, tls: { caFile: certs.caFile } });
      const finding = report.findings.find((f) => f.id === 'redis.tls');
      expect(finding?.detail, JSON.stringify(report.findings)).toMatch(/certificate has expired \(CERT_HAS_EXPIRED\)/);
      expect(report.findings.map((f) => f.id)).not.toContain('redis.unreachable');
    } finally {
      await expired.stop();
    }
  }, 120_000);

  it('names a hostname mismatch, and accepts it with servername set to the name in the certificate', async () => {
    const elsewhere = await startTlsRedis(certs, { cert: certs.elsewhereCert, key: certs.elsewhereKey });
    try {
      const mismatch = await diagnose({ url: elsewhere.url, tls: { caFile: certs.caFile } });
      const finding = mismatch.report.findings.find((f) => f.id === 'redis.tls');
      expect(finding?.detail, JSON.stringify(mismatch.report.findings)).toMatch(
        /not for the host the bot connects to.*ERR_TLS_CERT_ALTNAME_INVALID/s,
      );
      const named = await diagnose({
        url: elsewhere.url,
        tls: { caFile: certs.caFile, servername: 'redis.elsewhere.example' },
      });
      expect(named.report.findings.map((f) => f.id)).not.toContain('redis.tls');
      expect(named.report.findings.map((f) => f.id)).not.toContain('redis.unreachable');
    } finally {
      await elsewhere.stop();
    }
  }, 120_000);

  it("uses TLS on every other connection too: the monitor's feed, verify's canary, the admin, the lean --full pass", async () => {
    const redis = {
      url: mutual.url,
      tls: { caFile: certs.caFile, certFile: certs.clientCert, keyFile: certs.clientKey },
    };
    const env = parseConfig({ environments: { dev: { profile: 'development', redis } } }, 'test').environments.dev!;

    // The monitor's keyspace feed (a subscriber and a command connection).
    const feed = keyspaceFeedOpener({})(env);
    const events: string[] = [];
    const canary = openCanaryRedis(env, {});
    const admin = openRedisAdmin(redisAdminOptions(env, {}));
    try {
      await feed.subscribe({
        onEvent: (k, e) => events.push(`${k}:${e}`),
        onConnectionLost: () => undefined,
        onReconnected: () => undefined,
      });
      // verify's canary writes a session key: the feed sees it.
      await eventually('the canary seen by the feed', async () => {
        await canary.setEx('session:ttl-canary-tls', 'x', 600);
        return events.includes('session:ttl-canary-tls:set') ? true : undefined;
      });
      expect(await canary.pttl('session:ttl-canary-tls')).toBeGreaterThan(500_000);
      await canary.remove('session:ttl-canary-tls');
      // The remediation admin connection.
      const [node] = await admin.nodes();
      expect(await admin.configGet(node!, 'maxmemory-policy')).toBe('allkeys-lru');
    } finally {
      await Promise.all([feed.close(), canary.close(), admin.close()]);
    }

    // The --full pass without the audit script: SCAN + PTTL on a raw TLS socket of its own.
    const full = await runFull({ ...redis, audit: { script: false } });
    const ttl = full.findings.find((f) => f.id === 'ttl.distribution');
    expect(ttl?.evidence, JSON.stringify(full.checks)).toMatchObject({ mode: 'full', sampled: 300 });
  }, 120_000);

  it('keeps the private key out of JSON and util.inspect of the parsed config', () => {
    const redis = { url: tls.url, tls: { caFile: certs.caFile, certFile: certs.clientCert, keyFile: certs.clientKey } };
    const config = parseConfig({ environments: { dev: { profile: 'development', redis } } }, 'test');
    const env = config.environments.dev!;
    expect(env.redis.tls?.material?.key()?.toString()).toContain('PRIVATE KEY');
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), inspect(env.redis.tls?.material)]) {
      expect(shown).not.toContain('PRIVATE KEY');
      expect(shown).toContain(certs.clientKey);
    }
  });

  it('refuses a config whose TLS files are missing, mismatched or incomplete, naming the file, never its contents', async () => {
    const run = async (redis: Record<string, unknown>) => {
      const path = join(certs.dir, 'bad.yaml');
      writeFileSync(path, stringify({ environments: { dev: { profile: 'development', redis } } }));
      const io = captureIo();
      const code = await runCli(['diagnose', 'dev', '--config', path, '--json'], io);
      return { code, err: io.err() };
    };
    const missing = await run({ url: tls.url, tls: { caFile: 'nope/ca.crt' } });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`environments.dev.redis.tls.caFile: cannot read ${join(certs.dir, 'nope/ca.crt')}`);
    expect(missing.err).toContain('ENOENT');

    const swapped = await run({ url: tls.url, tls: { caFile: certs.clientKey } });
    expect(swapped.err).toMatch(/redis\.tls\.caFile: .*client\.key does not hold a PEM certificate/);

    const mismatched = await run({
      url: tls.url,
      tls: { certFile: certs.clientCert, keyFile: certs.strangerKey },
    });
    expect(mismatched.err).toMatch(/redis\.tls\.certFile \/ .*keyFile: the TLS files cannot be used/);
    const key = readFileSync(certs.strangerKey, 'utf8');
    for (const out of [missing.err, swapped.err, mismatched.err]) {
      expect(out).not.toContain('PRIVATE KEY');
      expect(out).not.toContain(key.split('\n')[1]);
    }

    const half = await run({ url: tls.url, tls: { certFile: certs.clientCert } });
    expect(half.err).toContain('redis.tls.keyFile: missing: certFile is set');
    const plainUrl = await run({ url: plain.url, tls: { caFile: certs.caFile } });
    expect(plainUrl.err).toContain('redis.url: redis.tls is set: write the URL as rediss://host:port');
    const unknown = await run({ url: tls.url, tls: { ca: certs.caFile } });
    expect(unknown.err).toMatch(/redis\.tls: unknown field\(s\) ca/);
  }, 60_000);
});
