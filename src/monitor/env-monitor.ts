import type { MonitorConfig } from '../config/monitor.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { KeyspaceFeed } from '../core/ports/keyspace-events.js';
import { createHourWindow, type HourSummary } from './hour-window.js';
import { LifetimeTracker } from './lifetime-tracker.js';
import { COUNTED_EVENTS, MAX_NODE_LABELS, type MonitorMetrics } from './metrics.js';
import { checkNotifySetting, worstNotify, type NotifyCheck } from './notify-setting.js';
import { createWatchLease, type WatchHolder } from './watch-lease.js';

/** The parts of an environment's config the monitor reads. */
export interface MonitoredEnvironment {
  name: string;
  expectedTtlSeconds: number;
  slidingWindow: boolean;
  monitor: MonitorConfig;
}

export interface EnvMonitorDeps {
  env: MonitoredEnvironment;
  /** Opens the environment's keyspace feed (a new one on each takeover). */
  openFeed: () => KeyspaceFeed;
  /** The shared state store: the lease and the status snapshot live there. */
  store: CasStateStore;
  /** This replica's name (the pod name). */
  replica: string;
  metrics: MonitorMetrics;
  logger: Logger;
  now?: () => number;
  /** How long a TTL-less write may wait for its EXPIRE (apps that SET then EXPIRE) before `no_ttl` counts; default 1 s. */
  noTtlGraceMs?: number;
  /** How often the lease is renewed (and a standby tries to take it); default a fifth of the lease. */
  tickMs?: number;
}

export type MonitorState = 'standby' | 'watching' | 'unreachable' | 'stopped';

/** What `/session-ttl status` shows, written by the watching replica to the state store. */
export interface MonitorStatus {
  env: string;
  replica: string;
  state: MonitorState;
  at: number;
  tracked: number;
  sampleRate: number;
  notify?: NotifyCheck;
  gaps: number;
  lastError?: string;
  hour: HourSummary;
}

type Ended = 'expired' | 'evicted' | 'deleted';
const ENDS: Record<string, Ended> = { expired: 'expired', evicted: 'evicted', del: 'deleted', unlink: 'deleted' };
const WRITES = new Set(['set', 'setex', 'expire', 'persist']);
const COUNTED = new Set<string>(COUNTED_EVENTS);

export const statusKey = (env: string) => `monitor:status:${env}`;

/**
 * Watches one environment's sessions while this replica holds its lease: subscribes to the keyspace
 * notifications, reads the TTL of each write (batched: one pipeline per turn of the event loop), judges
 * each end, and keeps the status snapshot fresh. A standby replica retries the lease every tick.
 */
export function createEnvMonitor(deps: EnvMonitorDeps) {
  const { env, metrics, store } = deps;
  const now = deps.now ?? Date.now;
  const labels = { environment: env.name };
  const logger = deps.logger.child({ component: 'monitor', env: env.name });
  const leaseMs = env.monitor.leaseSeconds * 1000;
  const tickMs = deps.tickMs ?? Math.max(100, Math.floor(leaseMs / 5));
  const noTtlGraceMs = deps.noTtlGraceMs ?? 1000;
  const lease = createWatchLease({ store, env: env.name, replica: deps.replica, leaseMs, now });
  const window = createHourWindow(now);
  const tracker = new LifetimeTracker({
    expectedTtlSeconds: env.expectedTtlSeconds,
    slidingWindow: env.slidingWindow,
    maxTracked: env.monitor.maxTracked,
    sampleRate: env.monitor.sampleRate,
    sink: {
      violation(reason) {
        metrics.violations.inc({ ...labels, reason });
        window.violation(reason);
      },
      lifetime(seconds) {
        metrics.lifetime.observe(labels, seconds);
        window.lifetime(seconds);
      },
    },
  });
  const eventCounters = new Map<string, { inc(): void }>();
  const countEvent = (event: string) => {
    const name = COUNTED.has(event) ? event : 'other';
    let c = eventCounters.get(name);
    if (!c) {
      c = metrics.events.labels({ ...labels, event: name });
      eventCounters.set(name, c);
    }
    c.inc();
  };

  let state: MonitorState = 'standby';
  let feed: KeyspaceFeed | undefined;
  let notify: NotifyCheck | undefined;
  let gaps = 0;
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let lostAt: number | undefined;
  const nodeLabels = new Set<string>();
  const nodeLabel = (node: string) => {
    if (nodeLabels.has(node) || nodeLabels.size < MAX_NODE_LABELS) {
      nodeLabels.add(node);
      return node;
    }
    return 'other';
  };
  // Writes waiting for their TTL read, with the time of the first one (for the lag).
  let pending = new Set<string>();
  let pendingSince = 0;
  let flushing = false;
  const noTtlRecheck = new Map<string, number>();
  let recheckTimer: NodeJS.Timeout | undefined;
  const work = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const t = p.catch((err: unknown) => logger.warn({ err }, 'reading TTLs failed')).finally(() => work.delete(t));
    work.add(t);
  };

  function onEvent(key: string, event: string): void {
    if (!lease.held()) return;
    countEvent(event);
    const end = ENDS[event];
    if (end) {
      noTtlRecheck.delete(key);
      tracker.end(key, end, now());
      return;
    }
    if (WRITES.has(event) && tracker.write(key, now())) {
      if (!pending.size) pendingSince = now();
      pending.add(key);
      if (!flushing) {
        flushing = true;
        setImmediate(() => track(flush()));
      }
    }
  }

  async function flush(): Promise<void> {
    try {
      while (pending.size && feed) {
        const keys = [...pending];
        const since = pendingSince;
        pending = new Set();
        const readAt = now();
        const ttls = await feed.pttl(keys);
        if (!lease.held()) return;
        keys.forEach((k, i) => {
          const ttl = ttls[i] ?? -2;
          if (ttl === -1 && noTtlGraceMs > 0) noTtlRecheck.set(k, readAt);
          else tracker.ttl(k, ttl, readAt);
        });
        metrics.lag.set(labels, (now() - since) / 1000);
        if (noTtlRecheck.size && !recheckTimer) recheckTimer = setTimeout(() => track(recheckNoTtl()), noTtlGraceMs);
      }
    } finally {
      flushing = false;
    }
  }

  /** TTL-less writes, read again after the grace: still without a TTL counts `no_ttl`. */
  async function recheckNoTtl(): Promise<void> {
    recheckTimer = undefined;
    const due = [...noTtlRecheck].filter(([, at]) => now() - at >= noTtlGraceMs);
    for (const [k] of due) noTtlRecheck.delete(k);
    if (due.length && feed) {
      const ttls = await feed.pttl(due.map(([k]) => k));
      if (lease.held()) due.forEach(([k, at], i) => tracker.ttl(k, ttls[i] ?? -2, at));
    }
    if (noTtlRecheck.size && !recheckTimer && state === 'watching')
      recheckTimer = setTimeout(() => track(recheckNoTtl()), noTtlGraceMs);
  }

  async function rebuild(f: KeyspaceFeed, why: string): Promise<void> {
    tracker.beginRebuild();
    const t = now();
    await f.scan((batch) => {
      const at = now();
      for (const { key, pttlMs } of batch) tracker.scanned(key, pttlMs, at);
    });
    const dropped = tracker.endRebuild();
    metrics.tracked.set(labels, tracker.size);
    logger.info(
      { tracked: tracker.size, dropped, ms: now() - t, why },
      'session monitor: tracked set rebuilt from a scan',
    );
  }

  async function checkNotify(f: KeyspaceFeed): Promise<void> {
    notify = f.notifySettings ? worstNotify(await f.notifySettings()) : checkNotifySetting(await f.notifySetting());
    metrics.notificationsOk.set(labels, notify.ok ? 1 : notify.setting === undefined ? -1 : 0);
    if (!notify.ok)
      logger.warn({ setting: notify.setting ?? null, fix: notify.fix }, `session monitor: ${notify.message}`);
  }

  async function beginWatching(): Promise<void> {
    const f = deps.openFeed();
    feed = f;
    tracker.clear();
    try {
      // Subscribed before the scan, so nothing written during the scan is missed.
      await f.subscribe({
        onEvent,
        onConnectionLost(info) {
          lostAt = info?.since ?? now();
          if (info) {
            logger.warn(
              { nodes: info.nodes },
              `session monitor: no keyspace subscriber on master(s) ${info.nodes.join(', ')}; their notifications are lost until they are subscribed`,
            );
          } else
            logger.warn('session monitor: the keyspace subscription dropped; notifications are lost until it is back');
        },
        onReconnected(info) {
          const seconds = Math.max(0, now() - (info?.since ?? lostAt ?? now())) / 1000;
          lostAt = undefined;
          gaps++;
          metrics.gaps.inc(labels);
          metrics.gapSeconds.inc(labels, seconds);
          for (const node of info?.nodes ?? []) {
            metrics.nodeGaps.inc({ ...labels, node: nodeLabel(node) });
            metrics.nodeGapSeconds.inc({ ...labels, node: nodeLabel(node) }, seconds);
          }
          const where = info ? ` (master(s) ${info.nodes.join(', ')} had no subscriber)` : '';
          logger.warn(
            { gapSeconds: seconds, ...(info ? { nodes: info.nodes } : {}) },
            `session monitor: resubscribed after a gap of ${seconds.toFixed(1)} s${where}; notifications in it were lost; rebuilding from a scan`,
          );
          track(checkNotify(f).then(() => rebuild(f, 'reconnect')));
        },
      });
      await checkNotify(f);
      await rebuild(f, 'takeover');
      state = 'watching';
      lastError = undefined;
      metrics.sampleRate.set(labels, tracker.sampleRate);
      logger.info({ replica: deps.replica, feed: f.description }, 'session monitor: watching');
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      logger.warn({ err }, 'session monitor: cannot watch the session store; retrying');
      state = 'unreachable';
      await stopWatching(true);
    }
  }

  async function stopWatching(release: boolean): Promise<void> {
    const f = feed;
    feed = undefined;
    pending = new Set();
    noTtlRecheck.clear();
    clearTimeout(recheckTimer);
    recheckTimer = undefined;
    tracker.clear();
    metrics.leaseHeld.set(labels, 0);
    metrics.tracked.set(labels, 0);
    if (release)
      await lease
        .release()
        .catch((err: unknown) => logger.warn({ err }, 'session monitor: releasing the lease failed'));
    await f?.close();
  }

  function status(): MonitorStatus {
    return {
      env: env.name,
      replica: deps.replica,
      state,
      at: now(),
      tracked: tracker.size,
      sampleRate: tracker.sampleRate,
      ...(notify ? { notify } : {}),
      gaps,
      ...(lastError ? { lastError } : {}),
      hour: window.summary(),
    };
  }

  async function tick(): Promise<void> {
    try {
      if (feed) {
        if (!(await lease.renew())) {
          logger.warn('session monitor: lost the lease (another replica watches now)');
          state = 'standby';
          await stopWatching(false);
          return;
        }
      } else if (await lease.acquire()) {
        metrics.leaseHeld.set(labels, 1);
        await beginWatching();
      } else if (state !== 'unreachable') state = 'standby';
      if (feed) {
        // Nothing waiting: not behind (the last batch's lag must not stand for ever after a burst).
        if (!pending.size && !flushing) metrics.lag.set(labels, 0);
        metrics.tracked.set(labels, tracker.size);
        metrics.sampleRate.set(labels, tracker.sampleRate);
        await store.set(statusKey(env.name), JSON.stringify(status()), 3 * leaseMs);
      }
    } catch (err) {
      // The state store is down: held() runs out on its own, which stops the counting.
      logger.warn({ err }, 'session monitor: the lease could not be renewed');
    }
  }

  const runTick = () => {
    ticking ??= tick().finally(() => (ticking = undefined));
    return ticking;
  };

  return {
    env: env.name,
    /** Starts trying for the lease; does not wait for it (an unreachable store must not hold up the host). */
    async start(): Promise<void> {
      void runTick();
      timer = setInterval(() => void runTick(), tickMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await ticking;
      state = 'stopped';
      await stopWatching(true);
      await Promise.allSettled([...work]);
    },
    /** This replica's view (the snapshot others read is `statusKey(env)` in the store). */
    status,
    /** The cheap part of `status` (no percentiles), for probes. */
    health: () => ({ env: env.name, state, ...(notify ? { notify } : {}), ...(lastError ? { lastError } : {}) }),
    holder: (): Promise<WatchHolder | undefined> => lease.holder(),
    /** Resolves once written TTLs are read and applied (tests, the bench). */
    async settled(): Promise<void> {
      while (work.size || pending.size || flushing)
        await Promise.allSettled([...work, new Promise((r) => setImmediate(r))]);
    },
  };
}
export type EnvMonitor = ReturnType<typeof createEnvMonitor>;
