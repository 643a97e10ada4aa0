import { defineCheck } from '../define-check.js';
import { clockSkew } from './clock-skew.findings.js';
import type { ReadAppClock } from '../../core/ports/app-clock.js';
import type { RedisNodePort } from '../../core/ports/session-store.js';
import type { Check, CheckContext, RawFinding } from '../types.js';
import { durationMs, safeUrl } from '../../core/format.js';

const DEFAULT_THRESHOLD_MS = 2000;
/** An HTTP `Date` header is truncated to the second: the true time lies in [date, date + 1 s). */
const DATE_HEADER_RESOLUTION_MS = 1000;
/** TIME round trips per Redis node; the one with the shortest round trip is kept. */
const REDIS_READINGS = 3;
/** At or beyond this offset a skew is critical: app-side expiry checks are off by minutes. */
const CRITICAL_OFFSET_MS = 60_000;

/** One remote clock compared with the bot's. `offsetMs` is remote minus bot: positive means the remote is ahead. */
export interface ClockOffset {
  source: string;
  kind: 'redis' | 'kubernetes' | 'app';
  offsetMs: number;
  /** How far the true offset may lie from `offsetMs` (half the round trip, plus the Date header's resolution). */
  uncertaintyMs: number;
  roundTripMs: number;
}

/**
 * The offset of a remote clock reading taken between `sentAt` and `receivedAt` (local ms), assuming
 * the reading was taken halfway through the round trip. `resolutionMs` is how much the remote
 * truncated (1000 for a `Date` header, 0 for Redis TIME).
 *
 * @example offsetFromReading(10_000, 20_000, 20_100, 1000) // { offsetMs: -9550, uncertaintyMs: 550, roundTripMs: 100 }
 */
export function offsetFromReading(
  remoteMs: number,
  sentAt: number,
  receivedAt: number,
  resolutionMs: number,
): Pick<ClockOffset, 'offsetMs' | 'uncertaintyMs' | 'roundTripMs'> {
  const roundTripMs = Math.max(0, receivedAt - sentAt);
  const mid = sentAt + roundTripMs / 2;
  return {
    offsetMs: remoteMs + resolutionMs / 2 - mid,
    uncertaintyMs: roundTripMs / 2 + resolutionMs / 2,
    roundTripMs,
  };
}

/**
 * The server's clock in ms: `server_time_usec` of INFO server (Redis 6.2+), else TIME. INFO is a command
 * every diagnosis sends anyway: a first TIME makes Redis allocate that command's latency histogram, which on
 * a Redis at its maxmemory under allkeys-* evicts sessions (issue 18 item 11).
 */
async function serverTimeMs(node: RedisNodePort): Promise<number> {
  const usec = Number((await node.info('server').catch(() => undefined))?.server_time_usec);
  return Number.isFinite(usec) && usec > 0 ? usec / 1000 : node.time();
}

async function redisOffset(node: RedisNodePort, now: () => number): Promise<ClockOffset> {
  const readOnce = async () => {
    const sentAt = now();
    const remote = await serverTimeMs(node);
    return offsetFromReading(remote, sentAt, now(), 0);
  };
  // The reading with the shortest round trip is the most exact one.
  let best = await readOnce();
  for (let i = 1; i < REDIS_READINGS; i++) {
    const reading = await readOnce();
    if (reading.roundTripMs < best.roundTripMs) best = reading;
  }
  return { source: `redis ${node.address}`, kind: 'redis', ...best };
}

interface Unavailable {
  source: string;
  reason: string;
}

/** The context of clock-skew: Redis, and the cluster when the environment has one. */
type ClockContext = CheckContext<'redis', 'kubernetes'>;

async function kubernetesOffset(ctx: ClockContext): Promise<ClockOffset | Unavailable | undefined> {
  const cluster = ctx.cluster;
  if (!cluster?.serverTime) return undefined;
  const source = 'kubernetes API server';
  try {
    const sentAt = ctx.now();
    const remote = await cluster.serverTime();
    const receivedAt = ctx.now();
    if (remote === undefined) return { source, reason: `${cluster.description} has no clock (no Date header)` };
    return { source, kind: 'kubernetes', ...offsetFromReading(remote, sentAt, receivedAt, DATE_HEADER_RESOLUTION_MS) };
  } catch (err) {
    return { source, reason: err instanceof Error ? err.message : String(err) };
  }
}

async function appOffset(
  ctx: ClockContext,
  readClock: ReadAppClock | undefined,
): Promise<ClockOffset | Unavailable | undefined> {
  const app = ctx.env.app;
  if (!app) return undefined;
  const source = `app ${safeUrl(app.baseUrl)}`;
  if (!readClock) return { source, reason: 'no reader for the app clock in these sources' };
  try {
    const r = await readClock({ baseUrl: app.baseUrl, timeoutMs: app.timeoutMs, now: ctx.now, signal: ctx.signal });
    return { source, kind: 'app', ...offsetFromReading(r.serverMs, r.sentAt, r.receivedAt, DATE_HEADER_RESOLUTION_MS) };
  } catch (err) {
    return { source, reason: err instanceof Error ? err.message : String(err) };
  }
}

// Direction is spelled out next to it (ahead/behind), so the size is shown without a sign.
const seconds = (ms: number) => durationMs(Math.abs(ms));
const rounded = (o: ClockOffset): ClockOffset => ({
  ...o,
  offsetMs: Math.round(o.offsetMs),
  uncertaintyMs: Math.round(o.uncertaintyMs),
  roundTripMs: Math.round(o.roundTripMs),
});

/** The offset lies beyond the threshold even at the near end of its uncertainty. */
const isSkewed = (o: ClockOffset, thresholdMs: number) => Math.abs(o.offsetMs) - o.uncertaintyMs > thresholdMs;

function skewFinding(
  ctx: ClockContext,
  offsets: ClockOffset[],
  unavailable: Unavailable[],
  thresholdMs: number,
): RawFinding | undefined {
  const skewed = offsets.filter((o) => isSkewed(o, thresholdMs));
  if (!skewed.length) return undefined;
  const worst = skewed.reduce((a, b) => (Math.abs(b.offsetMs) > Math.abs(a.offsetMs) ? b : a));
  // Several remote clocks that agree with one another but not with the bot: the bot's host is off.
  const values = offsets.map((o) => o.offsetMs);
  const botClockSuspect =
    offsets.length >= 2 &&
    skewed.length === offsets.length &&
    (values.every((v) => v > 0) || values.every((v) => v < 0)) &&
    Math.max(...values) - Math.min(...values) <= thresholdMs;

  const list = skewed
    .map((o) => `${o.source} ${o.offsetMs > 0 ? 'ahead' : 'behind'} by ${seconds(o.offsetMs)}`)
    .join(', ');
  const title = botClockSuspect
    ? `The bot's clock is ${seconds(worst.offsetMs)} ${worst.offsetMs > 0 ? 'behind' : 'ahead of'} ${offsets.map((o) => o.source).join(', ')}`
    : `Clock skew: ${list} (threshold ${seconds(thresholdMs)})`;
  const k = ctx.env.kubernetes;
  const ns = k?.namespace ?? 'langgraph-agent';
  const fix =
    `Make sure NTP (chrony or systemd-timesyncd) runs and is synchronised on every node${botClockSuspect ? ", including the bot's host" : ''}; ` +
    `compare the clocks the runbook's way (Scenario 5): kubectl exec -n ${ns} <redis pod from -l ` +
    `${k?.redisSelector ?? 'app=redis-session'}> -- date -u and kubectl exec -n ${ns} <app pod from ` +
    `-l ${k?.appSelector ?? 'app=langgraph-agent'}> -- date -u.`;
  return {
    id: clockSkew.id,
    severity: Math.abs(worst.offsetMs) >= CRITICAL_OFFSET_MS ? 'critical' : 'warning',
    title,
    detail:
      `Offsets are the remote clock minus the bot's, measured at the midpoint of each request; a Date ` +
      'header counts to the second, so its reading carries ±0.5 s. ' +
      'Redis counts TTLs on its own clock, but the app stamps created_at and checks expiry (and the ' +
      'session_ttl_violations metric) on its own: clocks that disagree by more than ' +
      `${seconds(thresholdMs)} make sessions look expired early or late (runbook Scenario 5).` +
      (botClockSuspect
        ? ` All remote clocks agree with one another, so the bot's own host clock is the one that is off.`
        : ''),
    evidence: {
      thresholdMs,
      maxOffsetMs: Math.round(worst.offsetMs),
      offsets: offsets.map(rounded),
      skewed: skewed.map((o) => o.source),
      botClockSuspect,
      ...(unavailable.length ? { unavailable } : {}),
    },
    fix,
  };
}

export interface ClockSkewDeps {
  /** Reads the app's `Date` header; default: the reader of the environment's sources (`ctx.appClock`). */
  readAppClock?: ReadAppClock;
}

/**
 * Runbook Scenario 5: compares the bot's clock (`ctx.now()`) with Redis `TIME` on every node, the
 * Kubernetes API server's `Date` header (when a cluster source is present) and the app's `Date` header
 * (when `app.baseUrl` is configured). Raises `clock.skew` when an offset exceeds
 * `options.clockSkewThresholdMs` beyond its measurement uncertainty. Needs only Redis: the other
 * clocks are read when their source is there, and a failing one is listed as unavailable.
 */
export function createClockSkewCheck(deps: ClockSkewDeps = {}): Check {
  return defineCheck({
    id: 'clock-skew',
    summary: 'Bot, Redis, Kubernetes API and app clocks agree within the threshold (runbook Scenario 5)',
    needs: ['redis'],
    optional: ['kubernetes'],
    findings: [clockSkew],
    async run(ctx) {
      const thresholdMs = ctx.options.clockSkewThresholdMs ?? DEFAULT_THRESHOLD_MS;
      const [redis, kube, app] = await Promise.all([
        Promise.all(ctx.redis.nodes.map((node) => redisOffset(node, ctx.now))),
        kubernetesOffset(ctx),
        appOffset(ctx, deps.readAppClock ?? ctx.appClock),
      ]);
      const offsets: ClockOffset[] = [...redis];
      const unavailable: Unavailable[] = [];
      for (const r of [kube, app]) {
        if (!r) continue;
        if ('reason' in r) unavailable.push(r);
        else offsets.push(r);
      }
      const f = skewFinding(ctx, offsets, unavailable, thresholdMs);
      return f ? [f] : [];
    },
  });
}

/** The registered instance, reading the app's clock through the environment's sources. */
export const clockSkewCheck: Check = createClockSkewCheck();
