import { runChecked } from '../check-context.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appClockReader, readAppClock } from '../../../src/adapters/app/app-clock.js';
import {
  clockSkewCheck,
  createClockSkewCheck,
  offsetFromReading,
  type ClockOffset,
} from '../../../src/diagnostics/checks/clock-skew.js';
import type { RawFinding } from '../../../src/diagnostics/types.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../fakes/kube-api.js';
import { resetSharedRedis } from '../../support/shared-redis.js';
import {
  clusterOf,
  contextFor,
  diagnose,
  NS,
  plantHealthyCluster,
  problems,
  seedSessions,
  testConfig,
} from '../healthy-environment.js';

/** A tiny app on loopback whose Date header runs `offsetMs` off the real clock; counts requests by method. */
interface DateServer {
  url: string;
  offsetMs: number;
  /** `HEAD` answers without a Date header (some proxies strip it), so the reader must fall back to GET. */
  headWithoutDate: boolean;
  methods: string[];
  close(): Promise<void>;
}

async function startDateServer(): Promise<DateServer> {
  const state = { offsetMs: 0, headWithoutDate: false, methods: [] as string[] };
  const server: Server = createServer((req, res) => {
    state.methods.push(req.method ?? '');
    res.sendDate = false;
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (!(req.method === 'HEAD' && state.headWithoutDate))
      headers.date = new Date(Date.now() + state.offsetMs).toUTCString();
    // The app answers 401 without a token: the Date header is still there.
    res.writeHead(401, headers);
    res.end(req.method === 'HEAD' ? undefined : 'unauthorized');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  }) as DateServer;
}

let kube: FakeKubeApi;
let app: DateServer;
let client: Redis;

beforeAll(async () => {
  kube = await startFakeKubeApi({ namespace: NS });
  app = await startDateServer();
});
afterAll(async () => {
  await kube.stop();
  await app.close();
  client?.disconnect();
});
beforeEach(async () => {
  client?.disconnect();
  client = await resetSharedRedis();
  plantHealthyCluster(kube);
  app.offsetMs = 0;
  app.headWithoutDate = false;
  app.methods.length = 0;
});

const shifted = (ms: number) => () => Date.now() + ms;
const offsets = (f: RawFinding) => f.evidence.offsets as ClockOffset[];
const offsetOf = (f: RawFinding, kind: ClockOffset['kind']) => offsets(f).find((o) => o.kind === kind) as ClockOffset;

describe('offsetFromReading', () => {
  it('takes the midpoint of the request and half the Date resolution', () => {
    expect(offsetFromReading(10_000, 20_000, 20_100, 1000)).toEqual({
      offsetMs: -9550,
      uncertaintyMs: 550,
      roundTripMs: 100,
    });
    expect(offsetFromReading(5_050, 5_000, 5_100, 0)).toEqual({ offsetMs: 0, uncertaintyMs: 50, roundTripMs: 100 });
  });
});

describe('readAppClock', () => {
  it('reads the Date header of a HEAD request, even from a 401 answer', async () => {
    app.offsetMs = 10_000;
    const r = await readAppClock({ baseUrl: app.url, timeoutMs: 2000, now: Date.now });
    expect(r.method).toBe('HEAD');
    expect(r.status).toBe(401);
    expect(r.serverMs - r.receivedAt).toBeGreaterThan(8_000);
    expect(r.serverMs - r.receivedAt).toBeLessThan(11_000);
    expect(app.methods).toEqual(['HEAD']);
  });

  it('falls back to GET when the HEAD answer has no Date header', async () => {
    app.headWithoutDate = true;
    const r = await readAppClock({ baseUrl: app.url, timeoutMs: 2000, now: Date.now });
    expect(r.method).toBe('GET');
    expect(app.methods).toEqual(['HEAD', 'GET']);
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const r = await readAppClock({
      baseUrl: 'http://app.invalid:8000/',
      timeoutMs: 2000,
      now: Date.now,
      fetch: async (url, init) => {
        seen.push(`${init?.method} ${url}`);
        return new Response(null, { status: 204, headers: { date: 'Tue, 01 Dec 2026 10:00:00 GMT' } });
      },
    });
    expect(seen).toEqual(['HEAD http://app.invalid:8000/']);
    expect(r.serverMs).toBe(Date.parse('2026-12-01T10:00:00Z'));
  });

  it('names the URL without credentials or query when the app is unreachable', async () => {
    const closed = await startDateServer();
    await closed.close();
    const url = closed.url.replace('http://', 'http://user:s3cret@') + '/health?token=abc';
    const err = await readAppClock({ baseUrl: url, timeoutMs: 2000, now: Date.now }).catch((e: Error) => e);
    expect((err as Error).message).toBe(`The app at ${closed.url}/health did not answer a HEAD request: ECONNREFUSED.`);
    expect((err as Error).message).not.toMatch(/s3cret|token|user/);
  });
});

describe('clock-skew on healthy clocks', () => {
  it('raises nothing when Redis, the Kubernetes API and the app agree with the bot', async () => {
    const config = testConfig({ app: { baseUrl: app.url } });
    expect(await runChecked(clockSkewCheck, contextFor({ config, client, cluster: clusterOf(kube) }))).toEqual([]);
    expect(app.methods).toEqual(['HEAD']);
    expect(kube.requests.some((r) => r.path === '/version')).toBe(true);
  });

  it('raises nothing for an app 1.5 s off under the 2 s threshold', async () => {
    app.offsetMs = 1500;
    const config = testConfig({ app: { baseUrl: app.url } });
    expect(await runChecked(clockSkewCheck, contextFor({ config, client, cluster: clusterOf(kube) }))).toEqual([]);
  });

  it('needs only Redis: without a cluster or an app it compares Redis TIME alone', async () => {
    expect(await runChecked(clockSkewCheck, contextFor({ config: testConfig(), client }))).toEqual([]);
  });
});

describe('clock.skew', () => {
  it("is raised with every offset when the bot's clock runs 5 s ahead, and blames the bot's clock", async () => {
    const config = testConfig({ app: { baseUrl: app.url } });
    const [f, ...rest] = await runChecked(
      clockSkewCheck,
      contextFor({ config, client, cluster: clusterOf(kube), now: shifted(5000) }),
    );
    expect(rest).toEqual([]);
    expect(f?.id).toBe('clock.skew');
    const finding = f as RawFinding;
    expect(finding.severity).toBe('warning');
    expect(
      offsets(finding)
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['app', 'kubernetes', 'redis']);
    // Redis TIME is precise to the microsecond; the Date headers to the second.
    expect(offsetOf(finding, 'redis').offsetMs).toBeGreaterThan(-5200);
    expect(offsetOf(finding, 'redis').offsetMs).toBeLessThan(-4800);
    expect(offsetOf(finding, 'kubernetes').offsetMs).toBeGreaterThan(-5700);
    expect(offsetOf(finding, 'kubernetes').offsetMs).toBeLessThan(-4300);
    expect(offsetOf(finding, 'kubernetes').uncertaintyMs).toBeGreaterThanOrEqual(500);
    expect(finding.evidence).toMatchObject({ thresholdMs: 2000, botClockSuspect: true });
    expect(finding.title).toMatch(
      /^The bot's clock is 5(\.\d)? s ahead of redis 127\.0\.0\.1:\d+, kubernetes API server, app http:\/\/127\.0\.0\.1:\d+\//,
    );
    expect(finding.fix).toContain(`kubectl exec -n ${NS}`);
    expect(finding.fix).toContain('date -u');
  });

  it('is raised for an app whose Date header is 10 s ahead, naming only the app', async () => {
    app.offsetMs = 10_000;
    const config = testConfig({ app: { baseUrl: app.url } });
    const [f] = await runChecked(clockSkewCheck, contextFor({ config, client, cluster: clusterOf(kube) }));
    expect(f?.id).toBe('clock.skew');
    expect(f?.evidence.skewed).toEqual([`app ${app.url}/`]);
    expect(f?.evidence.botClockSuspect).toBe(false);
    const o = offsetOf(f as RawFinding, 'app');
    expect(o.offsetMs).toBeGreaterThan(9000);
    expect(o.offsetMs).toBeLessThan(11_000);
    expect(f?.title).toMatch(
      // A Date header is precise to the second, and the round trip on a loaded machine adds to it: 9 to 11 s.
      /^Clock skew: app http:\/\/127\.0\.0\.1:\d+\/ ahead by (9(\.\d)?|10|11) s \(threshold 2 s\)$/,
    );
  });

  it('is raised for a Kubernetes API server 90 s behind, as critical', async () => {
    const lagging = await startFakeKubeApi({ namespace: NS, now: shifted(-90_000) });
    try {
      const [f] = await runChecked(
        clockSkewCheck,
        contextFor({ config: testConfig(), client, cluster: clusterOf(lagging) }),
      );
      expect(f?.severity).toBe('critical');
      expect(f?.evidence.skewed).toEqual(['kubernetes API server']);
      expect(offsetOf(f as RawFinding, 'kubernetes').offsetMs).toBeLessThan(-88_000);
    } finally {
      await lagging.stop();
    }
  });

  it('follows the configured threshold (defaults.clockSkewThresholdMs)', async () => {
    app.offsetMs = 10_000;
    const config = testConfig({ app: { baseUrl: app.url }, defaults: { clockSkewThresholdMs: 30_000 } });
    expect(await runChecked(clockSkewCheck, contextFor({ config, client }))).toEqual([]);
  });

  it('lists an unreachable app or API server as unavailable and still judges Redis', async () => {
    const gone = await startDateServer();
    await gone.close();
    const config = testConfig({ app: { baseUrl: `${gone.url}/`, timeoutMs: 1000 } });
    kube.failAll(503);
    const [f] = await runChecked(
      clockSkewCheck,
      contextFor({ config, client, cluster: clusterOf(kube), now: shifted(5000) }),
    );
    kube.clearFaults();
    expect(f?.id).toBe('clock.skew');
    expect(offsets(f as RawFinding).map((o) => o.kind)).toEqual(['redis']);
    const unavailable = f?.evidence.unavailable as { source: string; reason: string }[];
    expect(unavailable.map((u) => u.source)).toEqual(['kubernetes API server', `app ${gone.url}/`]);
    expect(unavailable[1]?.reason).toContain('ECONNREFUSED');
  });

  it('reads the app through an injected fetch', async () => {
    const check = createClockSkewCheck({
      readAppClock: appClockReader(
        async () => new Response(null, { status: 200, headers: { date: new Date(Date.now() - 20_000).toUTCString() } }),
      ),
    });
    const config = testConfig({ app: { baseUrl: 'http://app.invalid/' } });
    const [f] = await runChecked(check, contextFor({ config, client }));
    expect(f?.evidence.skewed).toEqual(['app http://app.invalid/']);
  });
});

describe('clock-skew through the engine with every check', () => {
  it('a healthy setup raises no clock.skew', async () => {
    await seedSessions(client);
    const report = await diagnose({
      config: testConfig({ app: { baseUrl: app.url } }),
      client,
      cluster: clusterOf(kube),
    });
    expect(report.checks.find((c) => c.id === 'clock-skew')?.status).toBe('ok');
    expect(report.findings.map((f) => f.id)).not.toContain('clock.skew');
  });

  it('a skewed app clock alone makes Scenario 5 the likely first one', async () => {
    await seedSessions(client);
    app.offsetMs = 10_000;
    const report = await diagnose({
      config: testConfig({ app: { baseUrl: app.url } }),
      client,
      cluster: clusterOf(kube),
    });
    expect(problems(report)).toEqual(['clock.skew']);
    expect(report.scenarios[0]).toMatchObject({ scenario: 5, likelihood: 'likely', evidence: ['clock.skew'] });
  });
});
