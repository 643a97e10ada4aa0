import type { MonitorConfig } from '../config/monitor.js';
import type { Logger } from '../core/logging.js';
import type { CasStateStore } from '../core/ports/cas-state-store.js';
import type { GapInfo, KeyspaceFeed } from '../core/ports/keyspace-events.js';
import { eventCounter, nodeLabeller } from './event-labels.js';
import { createHourWindow, type HourWindow } from './hour-window.js';
import { LifetimeTracker } from './lifetime-tracker.js';
import { type MonitorMetrics, zeroMonitorSeries } from './metrics.js';
import { checkNotifySetting, type NotifyCheck, worstNotify } from './notify-setting.js';
import { type MonitorState, type MonitorStatus, statusKey } from './status-snapshot.js';
import { previousWatcher, type PreviousWatcher } from './takeover-gap.js';
import { TtlReads } from './ttl-reads.js';
import { CANARY_KEY_MARK } from '../verify/canary-steps.js';
import { createWatchLease, type WatchHolder, type WatchLease } from './watch-lease.js';

/** The bot's own verify canary (`<prefix>ttl-canary-…`) is not a user's session: neither tracked nor counted. */
const isCanaryKey = (key: string) => key.includes(CANARY_KEY_MARK);

export { type MonitorState, type MonitorStatus, statusKey } from './status-snapshot.js';

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

/** The cheap part of a monitor's status (no percentiles), for probes. */
export interface MonitorHealth {
  env: string;
  state: MonitorState;
  notify?: NotifyCheck;
  lastError?: string;
}

/** One environment's session lifetime monitor, as the metrics feature runs it. */
export interface EnvMonitor {
  readonly env: string;
  /** Starts trying for the lease; does not wait for it (an unreachable store must not hold up the host). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** This replica's view (the snapshot others read is `statusKey(env)` in the store). */
  status(): MonitorStatus;
  health(): MonitorHealth;
  holder(): Promise<WatchHolder | undefined>;
  /** Resolves once written TTLs are read and applied (tests, the bench). */
  settled(): Promise<void>;
}

type Ended = 'expired' | 'evicted' | 'deleted';
const ENDS: Record<string, Ended> = { expired: 'expired', evicted: 'evicted', del: 'deleted', unlink: 'deleted' };
const WRITES = new Set(['set', 'setex', 'expire', 'persist']);

/**
 * Watches one environment's sessions while this replica holds its lease: subscribes to the keyspace
 * notifications, reads the TTL of each write (batched: one pipeline per turn of the event loop), judges
 * each end, and keeps the status snapshot fresh. A standby replica retries the lease every tick.
 */
export function createEnvMonitor(deps: EnvMonitorDeps): EnvMonitor {
  return new LeasedEnvMonitor(deps);
}

class LeasedEnvMonitor implements EnvMonitor {
  readonly env: string;
  private readonly now: () => number;
  private readonly labels: { environment: string };
  private readonly logger: Logger;
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private readonly lease: WatchLease;
  private readonly window: HourWindow;
  private readonly tracker: LifetimeTracker;
  private readonly reads: TtlReads;
  private readonly countEvent: (event: string) => void;
  private readonly nodeLabel = nodeLabeller();
  /** Background work (TTL reads, rebuilds after a gap); failures are logged, `stop` waits for it. */
  private readonly work = new Set<Promise<unknown>>();

  private state: MonitorState = 'standby';
  private feed: KeyspaceFeed | undefined;
  private notify: NotifyCheck | undefined;
  private gaps = 0;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** When the subscription dropped, until it is back. */
  private lostAt: number | undefined;

  constructor(private readonly deps: EnvMonitorDeps) {
    const { env, metrics } = deps;
    this.env = env.name;
    this.now = deps.now ?? Date.now;
    this.labels = { environment: env.name };
    this.logger = deps.logger.child({ component: 'monitor', env: env.name });
    this.leaseMs = env.monitor.leaseSeconds * 1000;
    this.tickMs = deps.tickMs ?? Math.max(100, Math.floor(this.leaseMs / 5));
    this.lease = createWatchLease({
      store: deps.store,
      env: env.name,
      replica: deps.replica,
      leaseMs: this.leaseMs,
      now: this.now,
    });
    this.window = createHourWindow(this.now);
    this.tracker = this.createTracker();
    this.countEvent = eventCounter(metrics, env.name);
    this.reads = new TtlReads({
      tracker: this.tracker,
      now: this.now,
      noTtlGraceMs: deps.noTtlGraceMs ?? 1000,
      feed: () => this.feed,
      held: () => this.lease.held(),
      watching: () => this.state === 'watching',
      onLag: (seconds) => metrics.lag.set(this.labels, seconds),
      background: (p) => this.track(p),
    });
  }

  private createTracker(): LifetimeTracker {
    const { env, metrics } = this.deps;
    const { labels, window } = this;
    return new LifetimeTracker({
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
        ended(kind) {
          window.ended(kind);
        },
      },
    });
  }

  async start(): Promise<void> {
    // Every series exists from the start, at 0, so the first burst is a rise Prometheus can rate.
    zeroMonitorSeries(this.deps.metrics, this.env, this.deps.env.expectedTtlSeconds);
    void this.runTick();
    this.timer = setInterval(() => void this.runTick(), this.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    this.state = 'stopped';
    await this.stopWatching(true);
    await Promise.allSettled([...this.work]);
  }

  status(): MonitorStatus {
    const { notify, lastError } = this;
    return {
      env: this.env,
      replica: this.deps.replica,
      state: this.state,
      at: this.now(),
      tracked: this.tracker.size,
      sampleRate: this.tracker.sampleRate,
      ...(notify ? { notify } : {}),
      gaps: this.gaps,
      ...(lastError ? { lastError } : {}),
      hour: this.window.summary(),
    };
  }

  health(): MonitorHealth {
    const { notify, lastError } = this;
    return { env: this.env, state: this.state, ...(notify ? { notify } : {}), ...(lastError ? { lastError } : {}) };
  }

  holder(): Promise<WatchHolder | undefined> {
    return this.lease.holder();
  }

  async settled(): Promise<void> {
    while (this.work.size || !this.reads.idle)
      await Promise.allSettled([...this.work, new Promise((r) => setImmediate(r))]);
  }

  private track(p: Promise<unknown>): void {
    const t = p
      .catch((err: unknown) => this.logger.warn({ err }, 'reading TTLs failed'))
      .finally(() => this.work.delete(t));
    this.work.add(t);
  }

  private runTick(): Promise<void> {
    this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** Renews the lease (or tries to take it), and while watching writes the status snapshot. */
  private async tick(): Promise<void> {
    try {
      if (this.feed) {
        if (!(await this.lease.renew())) {
          this.logger.warn('session monitor: lost the lease (another replica watches now)');
          this.state = 'standby';
          await this.stopWatching(false);
          return;
        }
      } else if (await this.lease.acquire()) {
        this.deps.metrics.leaseHeld.set(this.labels, 1);
        await this.beginWatching();
      } else if (this.state !== 'unreachable') this.state = 'standby';
      if (this.feed) await this.report();
    } catch (err) {
      // The state store is down: held() runs out on its own, which stops the counting.
      this.logger.warn({ err }, 'session monitor: the lease could not be renewed');
    }
  }

  private async report(): Promise<void> {
    const { metrics } = this.deps;
    // Nothing waiting: not behind (the last batch's lag must not stand for ever after a burst).
    if (this.reads.idle) metrics.lag.set(this.labels, 0);
    metrics.tracked.set(this.labels, this.tracker.size);
    metrics.sampleRate.set(this.labels, this.tracker.sampleRate);
    await this.deps.store.set(statusKey(this.env), JSON.stringify(this.status()), 3 * this.leaseMs);
  }

  private onEvent(key: string, event: string): void {
    if (!this.lease.held() || isCanaryKey(key)) return;
    this.countEvent(event);
    const end = ENDS[event];
    if (end) {
      this.reads.ended(key);
      this.tracker.end(key, end, this.now());
      return;
    }
    if (WRITES.has(event) && this.tracker.write(key, this.now())) this.reads.written(key);
  }

  private async beginWatching(): Promise<void> {
    const f = this.deps.openFeed();
    this.feed = f;
    this.tracker.clear();
    try {
      const previous = await previousWatcher(this.deps.store, this.env);
      // Subscribed before the scan, so nothing written during the scan is missed.
      await f.subscribe({
        onEvent: (key, event) => this.onEvent(key, event),
        onConnectionLost: (info) => this.onConnectionLost(info),
        onReconnected: (info) => this.onReconnected(f, info),
      });
      if (previous) this.countTakeoverGap(previous);
      await this.checkNotify(f);
      await this.rebuild(f, 'takeover');
      this.state = 'watching';
      this.lastError = undefined;
      this.deps.metrics.sampleRate.set(this.labels, this.tracker.sampleRate);
      this.logger.info({ replica: this.deps.replica, feed: f.description }, 'session monitor: watching');
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.logger.warn({ err }, 'session monitor: cannot watch the session store; retrying');
      this.state = 'unreachable';
      await this.stopWatching(true);
    }
  }

  /** The notifications between the previous watcher's last snapshot and this subscription reached nobody: a gap. */
  private countTakeoverGap(previous: PreviousWatcher): void {
    const seconds = Math.max(0, this.now() - previous.at) / 1000;
    this.gaps++;
    this.deps.metrics.gaps.inc(this.labels);
    this.deps.metrics.gapSeconds.inc(this.labels, seconds);
    this.logger.warn(
      { previous: previous.replica, gapSeconds: seconds },
      `session monitor: took over from ${previous.replica}, last seen watching ${seconds.toFixed(1)} s ago; ` +
        'notifications in between were lost; rebuilding from a scan',
    );
  }

  private async stopWatching(release: boolean): Promise<void> {
    const { metrics } = this.deps;
    const f = this.feed;
    this.feed = undefined;
    this.reads.clear();
    this.tracker.clear();
    metrics.leaseHeld.set(this.labels, 0);
    metrics.tracked.set(this.labels, 0);
    if (release)
      await this.lease
        .release()
        .catch((err: unknown) => this.logger.warn({ err }, 'session monitor: releasing the lease failed'));
    await f?.close();
  }

  private onConnectionLost(info: GapInfo | undefined): void {
    this.lostAt = info?.since ?? this.now();
    if (info) {
      this.logger.warn(
        { nodes: info.nodes },
        `session monitor: no keyspace subscriber on master(s) ${info.nodes.join(', ')}; ` +
          'their notifications are lost until they are subscribed',
      );
    } else
      this.logger.warn('session monitor: the keyspace subscription dropped; notifications are lost until it is back');
  }

  /** Counts the gap (and per node on a cluster), then reads the setting again and rebuilds from a scan. */
  private onReconnected(f: KeyspaceFeed, info: GapInfo | undefined): void {
    const { metrics } = this.deps;
    const { labels } = this;
    const seconds = Math.max(0, this.now() - (info?.since ?? this.lostAt ?? this.now())) / 1000;
    this.lostAt = undefined;
    this.gaps++;
    metrics.gaps.inc(labels);
    metrics.gapSeconds.inc(labels, seconds);
    for (const node of info?.nodes ?? []) {
      metrics.nodeGaps.inc({ ...labels, node: this.nodeLabel(node) });
      metrics.nodeGapSeconds.inc({ ...labels, node: this.nodeLabel(node) }, seconds);
    }
    const where = info ? ` (master(s) ${info.nodes.join(', ')} had no subscriber)` : '';
    this.logger.warn(
      { gapSeconds: seconds, ...(info ? { nodes: info.nodes } : {}) },
      `session monitor: resubscribed after a gap of ${seconds.toFixed(1)} s${where}; ` +
        'notifications in it were lost; rebuilding from a scan',
    );
    this.track(this.checkNotify(f).then(() => this.rebuild(f, 'reconnect')));
  }

  private async rebuild(f: KeyspaceFeed, why: string): Promise<void> {
    const { tracker } = this;
    tracker.beginRebuild();
    const t = this.now();
    await f.scan((batch) => {
      const at = this.now();
      for (const { key, pttlMs } of batch) if (!isCanaryKey(key)) tracker.scanned(key, pttlMs, at);
    });
    const dropped = tracker.endRebuild();
    this.deps.metrics.tracked.set(this.labels, tracker.size);
    this.logger.info(
      { tracked: tracker.size, dropped, ms: this.now() - t, why },
      'session monitor: tracked set rebuilt from a scan',
    );
  }

  private async checkNotify(f: KeyspaceFeed): Promise<void> {
    const notify = f.notifySettings
      ? worstNotify(await f.notifySettings())
      : checkNotifySetting(await f.notifySetting());
    this.notify = notify;
    this.deps.metrics.notificationsOk.set(this.labels, notify.ok ? 1 : notify.setting === undefined ? -1 : 0);
    if (!notify.ok)
      this.logger.warn({ setting: notify.setting ?? null, fix: notify.fix }, `session monitor: ${notify.message}`);
  }
}
