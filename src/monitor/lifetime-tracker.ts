import { inSample } from './key-sample.js';
import type { EndKind } from './hour-window.js';
import type { ViolationReason } from './metrics.js';

/** Where the tracker's outcomes go (metrics and the status window). */
export interface TrackerSink {
  violation(reason: ViolationReason): void;
  /** Seconds from the first write seen to the end (not called for sessions found by a scan: their start is unknown). */
  lifetime(seconds: number): void;
  /** How a tracked session ended (every end, also of sessions found by a scan). */
  ended?(kind: EndKind): void;
}

export interface TrackerOptions {
  /** The environment's expected TTL (config), for `short_ttl`. */
  expectedTtlSeconds: number;
  /** On: a refresh (any write) resets the expectation; off: the first TTL is the expectation until the end. */
  slidingWindow: boolean;
  /** Track every session up to this many, then only the sample. */
  maxTracked: number;
  sampleRate: number;
  sink: TrackerSink;
}

const NO_TTL = 1;
const HAS_EXPECTATION = 2;
const SHORT_COUNTED = 4;

/** One session as remembered: five numbers (see the bench for bytes per session). */
interface Session {
  /** First write seen (ms); NaN when found by a scan. */
  created: number;
  /** Last write seen (ms). */
  written: number;
  /** When the expectation started (ms) and how long it is (ms); -1 without a TTL. */
  anchor: number;
  expectMs: number;
  flags: number;
  /** Rebuild round in which it was last seen. */
  seen: number;
}

/** The runbook's rule: ended before 90% of the TTL. */
const EARLY = 0.9;

/**
 * The lifetime bookkeeping of one environment, without I/O: writes open or refresh a session, the TTL
 * read after a write sets the expectation, and an end (expired, evicted, deleted) is judged against it.
 *
 * Counting rules: `no_ttl` once per session each time a write leaves it without a TTL (not again while it
 * stays so); `short_ttl` once per session when an expectation is set under 90% of the expected TTL (with
 * the sliding window every write sets one, otherwise only the first); `early_expiration` when it expires
 * under 90% of its expectation; `evicted` and `deleted` on those ends. Sessions found by a scan (start-up,
 * takeover, after a gap) are judged only on their end, since their writes were not seen.
 *
 * Memory: every session up to `maxTracked`; at the cap, only keys in the deterministic sample (the others
 * are dropped), until the tracked set falls under half the sampled share of the cap; never more than twice the cap.
 */
export class LifetimeTracker {
  private readonly sessions = new Map<string, Session>();
  private sampling = false;
  private round = 0;

  constructor(private readonly opts: TrackerOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** 1 while every session is tracked, the sample rate once the cap was reached. */
  get sampleRate(): number {
    return this.sampling ? this.opts.sampleRate : 1;
  }

  private admit(key: string): boolean {
    const { maxTracked, sampleRate } = this.opts;
    if (this.sampling && this.sessions.size < (maxTracked * sampleRate) / 2) this.sampling = false;
    if (!this.sampling && this.sessions.size >= maxTracked) {
      this.sampling = true;
      for (const k of this.sessions.keys()) if (!inSample(k, sampleRate)) this.sessions.delete(k);
    }
    if (!this.sampling) return true;
    return this.sessions.size < 2 * maxTracked && inSample(key, sampleRate);
  }

  /** A write notification (set, expire, persist): true when the key is tracked and its TTL should be read. */
  write(key: string, now: number): boolean {
    const s = this.sessions.get(key);
    if (s) {
      s.written = now;
      s.seen = this.round;
      return true;
    }
    if (!this.admit(key)) return false;
    this.sessions.set(key, {
      created: now,
      written: now,
      anchor: now,
      expectMs: Number.NaN,
      flags: 0,
      seen: this.round,
    });
    return true;
  }

  /** The TTL read after writes issued at `readAt` (ms): sets the expectation, counts `no_ttl` / `short_ttl`. */
  ttl(key: string, pttlMs: number, readAt: number): void {
    const s = this.sessions.get(key);
    // A later write is read again; a gone key has its end event on the way.
    if (!s || s.written > readAt || pttlMs === -2) return;
    if (pttlMs === -1) {
      if (!(s.flags & NO_TTL)) this.opts.sink.violation('no_ttl');
      s.flags |= NO_TTL;
      s.expectMs = -1;
      return;
    }
    s.flags &= ~NO_TTL;
    if (this.opts.slidingWindow || !(s.flags & HAS_EXPECTATION) || s.expectMs < 0) {
      s.anchor = s.written;
      s.expectMs = pttlMs;
      s.flags |= HAS_EXPECTATION;
      if (pttlMs < EARLY * this.opts.expectedTtlSeconds * 1000 && !(s.flags & SHORT_COUNTED)) {
        s.flags |= SHORT_COUNTED;
        this.opts.sink.violation('short_ttl');
      }
    }
  }

  /** An end notification: `expired`, `evicted`, `del` / `unlink`. */
  end(key: string, event: 'expired' | 'evicted' | 'deleted', now: number): void {
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    const { sink } = this.opts;
    if (!Number.isNaN(s.created)) sink.lifetime(Math.max(0, now - s.created) / 1000);
    const early = event === 'expired' && s.expectMs > 0 && now - s.anchor < EARLY * s.expectMs;
    if (event !== 'expired') sink.violation(event);
    else if (early) sink.violation('early_expiration');
    sink.ended?.(early ? 'expired_early' : event);
  }

  /** Starts a rebuild: sessions not seen by the scan (nor written meanwhile) are dropped by `endRebuild`. */
  beginRebuild(): void {
    this.round++;
  }

  /** A key found by the scan, with its remaining TTL. */
  scanned(key: string, pttlMs: number, now: number): void {
    if (pttlMs === -2) return;
    const s = this.sessions.get(key);
    if (s) {
      s.seen = this.round;
      return;
    }
    if (!this.admit(key)) return;
    this.sessions.set(key, {
      created: Number.NaN,
      written: now,
      anchor: now,
      expectMs: pttlMs,
      flags: HAS_EXPECTATION | (pttlMs === -1 ? NO_TTL : 0),
      seen: this.round,
    });
  }

  /** Drops what ended while nobody watched (not counted: how it ended is unknown); returns how many. */
  endRebuild(): number {
    let dropped = 0;
    for (const [k, s] of this.sessions) {
      if (s.seen !== this.round) {
        this.sessions.delete(k);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    this.sessions.clear();
    this.sampling = false;
  }
}
