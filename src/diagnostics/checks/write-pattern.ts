import { defineCheck } from '../define-check.js';
import { setThenExpireSpec, setWithoutTtlSpec, writePatternFindings } from './write-pattern.findings.js';
import { maskedKey, splitBudget, type KeyspaceSample } from '../sampling/keyspace-sampler.js';
import { callsOf, readCommandCalls, type CommandCalls } from '../redis-info/commandstats.js';
import type { CheckContext, RawFinding } from '../types.js';
import { count } from '../../core/format.js';
import { nodeNoun } from './node-scope.js';

/** Session keys of the shared sample whose TTL is judged: enough to see a share of keys without TTL. */
export const WRITE_PATTERN_SAMPLE = 300;
/** Plain SET calls needed before their ratio to EXPIRE means anything. */
export const MIN_SET_CALLS = 50;
/** EXPIRE calls per plain SET that "track" the SETs: one EXPIRE per SET, give or take a factor 2. */
export const TRACKING_RATIO = { min: 0.5, max: 2 } as const;
/** With the sliding window on, at most this many SETEX/PSETEX per plain SET: sessions are not created atomically. */
export const MAX_ATOMIC_PER_SET = 0.1;

const MAX_SAMPLE_KEYS = 5;

/** SET with or without EX: INFO commandstats counts both as `set`. */
const PLAIN_SET = ['set'] as const;
/** Writes that can never carry a TTL themselves. */
const TTL_LESS_WRITES = ['setnx', 'getset', 'mset', 'msetnx', 'hset', 'hmset'] as const;
const ATOMIC_WRITES = ['setex', 'psetex'] as const;
const EXPIRES = ['expire', 'pexpire', 'expireat', 'pexpireat'] as const;
/** Ways an app reads a session before refreshing it. */
const READS = ['get', 'getex', 'hgetall', 'hget', 'hmget', 'mget'] as const;

/** Per-command calls with only the commands that were called, for evidence. */
function nonZero(calls: CommandCalls, commands: readonly string[]): Record<string, number> {
  return Object.fromEntries(commands.filter((c) => (calls[c] ?? 0) > 0).map((c) => [c, calls[c] as number]));
}

export interface TtlSample {
  sampled: number;
  withTtl: number;
  noTtl: number;
  /** Masked keys without a TTL (session ids are credentials). */
  noTtlSamples: string[];
}

/**
 * The TTLs of at most `max` keys of the diagnosis's keyspace sample, `max` split across the nodes
 * like the sample's own budget (each node's first keys in SCAN order).
 */
export function ttlSampleOf(sample: KeyspaceSample, max: number, keyPattern: string): TtlSample {
  const out: TtlSample = { sampled: 0, withTtl: 0, noTtl: 0, noTtlSamples: [] };
  const shares = splitBudget(max, sample.budgets.length);
  const taken = shares.map(() => 0);
  for (const k of sample.keys) {
    if ((taken[k.node] as number) >= (shares[k.node] as number)) continue;
    taken[k.node] = (taken[k.node] as number) + 1;
    out.sampled++;
    if (k.pttlMs === -1) {
      out.noTtl++;
      if (out.noTtlSamples.length < MAX_SAMPLE_KEYS) out.noTtlSamples.push(maskedKey(k.key, keyPattern));
    } else out.withTtl++;
  }
  return out;
}

/** The command counts the rules look at. */
export interface WriteCounts {
  plainSet: number;
  ttlLessWrites: number;
  atomicWrites: number;
  expires: number;
  reads: number;
  persist: number;
}

export function writeCounts(calls: CommandCalls): WriteCounts {
  return {
    plainSet: callsOf(calls, PLAIN_SET),
    ttlLessWrites: callsOf(calls, TTL_LESS_WRITES),
    atomicWrites: callsOf(calls, ATOMIC_WRITES),
    expires: callsOf(calls, EXPIRES),
    reads: callsOf(calls, READS),
    persist: callsOf(calls, ['persist']),
  };
}

export interface SetThenExpireVerdict {
  raised: boolean;
  /** EXPIRE calls the rule attributes to session creation. */
  creationExpires: number;
  /** creationExpires / plain SET calls, or null without SET calls. */
  ratio: number | null;
  rule: string;
}

/**
 * Whether EXPIRE calls track plain SET calls, the non-atomic SET + EXPIRE pattern.
 *
 * Without a sliding window no EXPIRE is needed at all, so EXPIRE calls in step with plain SET calls
 * (ratio 0.5..2, at least MIN_SET_CALLS SETs) point to SET + EXPIRE.
 *
 * With the sliding window on, every session access legitimately reads the session and then calls
 * EXPIRE, so EXPIRE calls alone prove nothing. The rule then needs stronger evidence: only the EXPIRE
 * calls beyond the reads (GET/GETEX/HGETALL/HGET/HMGET/MGET) can belong to creation, those must track
 * the plain SETs, and SETEX/PSETEX must be rare (at most MAX_ATOMIC_PER_SET per SET): an app that
 * creates sessions with SETEX is writing other keys with its SETs. Over-counted reads only make the
 * rule more cautious.
 *
 * @example setThenExpire({ plainSet: 200, expires: 200, reads: 0, atomicWrites: 0, ... }, false).raised // true
 */
export function setThenExpire(c: WriteCounts, slidingWindow: boolean): SetThenExpireVerdict {
  const creationExpires = slidingWindow ? Math.max(0, c.expires - c.reads) : c.expires;
  const ratio = c.plainSet > 0 ? Math.round((creationExpires / c.plainSet) * 1000) / 1000 : null;
  const tracks = ratio !== null && ratio >= TRACKING_RATIO.min && ratio <= TRACKING_RATIO.max;
  const enough = c.plainSet >= MIN_SET_CALLS;
  const atomicRare = !slidingWindow || c.atomicWrites <= c.plainSet * MAX_ATOMIC_PER_SET;
  const rule = slidingWindow
    ? `sliding window on: (EXPIRE - reads) / SET within ${TRACKING_RATIO.min}..${TRACKING_RATIO.max}, ` +
      `SET >= ${MIN_SET_CALLS}, SETEX/PSETEX <= ${MAX_ATOMIC_PER_SET} x SET`
    : `sliding window off: EXPIRE / SET within ${TRACKING_RATIO.min}..${TRACKING_RATIO.max}, SET >= ${MIN_SET_CALLS}`;
  return { raised: enough && tracks && atomicRare, creationExpires, ratio, rule };
}

const SINCE = 'since the server started or the last CONFIG RESETSTAT, over all keys (not only sessions)';

/** On a cluster the counts are every master's summed; said where the counts are. */
function summedOver(ctx: CheckContext<'redis'>): { text: string; evidence: { nodes?: number } } {
  const n = ctx.redis.nodes.length;
  return n > 1
    ? { text: `, summed over ${n} ${nodeNoun(ctx.redis)}`, evidence: { nodes: n } }
    : { text: '', evidence: {} };
}
const SETEX_FIX =
  'Create sessions with SETEX (or SET ... EX <ttl>) in one command with the configured TTL ' +
  '(runbook Scenario 2), deploy the fix, then give the existing keys without a TTL one with ' +
  'EXPIRE.';

function setWithoutTtlFinding(
  c: WriteCounts,
  calls: CommandCalls,
  sample: TtlSample,
  ctx: CheckContext<'redis'>,
): RawFinding | undefined {
  const writes = c.plainSet + c.ttlLessWrites;
  if (!writes || !sample.noTtl) return undefined;
  const others = nonZero(calls, TTL_LESS_WRITES);
  const otherText = Object.keys(others).length
    ? ` and ${Object.entries(others)
        .map(([cmd, v]) => `${count(v)} ${cmd.toUpperCase()}`)
        .join(', ')}`
    : '';
  return {
    id: setWithoutTtlSpec.id,
    severity: 'warning',
    title:
      `${count(sample.noTtl)} of ${count(sample.sampled)} sampled sessions have no TTL; Redis served ` +
      `${count(c.plainSet)} SET vs ${count(c.atomicWrites)} SETEX/PSETEX calls`,
    detail:
      `INFO commandstats counts SET with and without EX as one command, so ${count(c.plainSet)} SET calls${otherText} alone do not prove a missing TTL. ` +
      `Together with ${count(sample.noTtl)} sampled key${sample.noTtl === 1 ? '' : 's'} matching ` +
      `${ctx.env.redis.keyPattern} that have no TTL (PTTL -1), some writer stores sessions with a ` +
      'plain SET and no EX (runbook Diagnosis 4, Scenario 2). ' +
      `Counts run ${SINCE}${summedOver(ctx).text}.` +
      (c.persist ? ` Redis also served ${count(c.persist)} PERSIST calls, which remove a TTL.` : ''),
    evidence: {
      setCalls: c.plainSet,
      setexCalls: c.atomicWrites,
      sampled: sample.sampled,
      noTtl: sample.noTtl,
      samples: sample.noTtlSamples,
      ttlLessWriteCalls: others,
      expireCalls: c.expires,
      persistCalls: c.persist,
      keyPattern: ctx.env.redis.keyPattern,
      countsSince: SINCE,
      ...summedOver(ctx).evidence,
    },
    fix: SETEX_FIX,
  };
}

function setThenExpireFinding(c: WriteCounts, calls: CommandCalls, ctx: CheckContext<'redis'>): RawFinding | undefined {
  const sliding = ctx.env.slidingWindow;
  const v = setThenExpire(c, sliding);
  if (!v.raised) return undefined;
  return {
    id: setThenExpireSpec.id,
    severity: 'warning',
    title: `${count(v.creationExpires)} EXPIRE calls track ${count(c.plainSet)} SET calls: sessions look written with SET then EXPIRE`,
    detail:
      `Redis served ${count(c.plainSet)} SET, ${count(c.expires)} EXPIRE-family and only ${count(c.atomicWrites)} SETEX/PSETEX calls. ` +
      (sliding
        ? 'With the sliding window on, refreshes call EXPIRE after reading the session, so only the ' +
          `${count(v.creationExpires)} EXPIRE calls beyond the ${count(c.reads)} reads are counted ` +
          'against the SETs. '
        : 'Without a sliding window sessions need no EXPIRE at all when they are written with SETEX. ') +
      'SET followed by EXPIRE is two commands: a crash or dropped connection between them leaves a ' +
      'session without a TTL, and a later SET of the same key clears its TTL (runbook Diagnosis 4 ' +
      'warns against it). ' +
      `Commandstats cannot tell which keys the commands touched; counts run ${SINCE}${summedOver(ctx).text}.`,
    evidence: {
      setCalls: c.plainSet,
      expireCalls: c.expires,
      expireByCommand: nonZero(calls, EXPIRES),
      setexCalls: c.atomicWrites,
      readCalls: c.reads,
      creationExpireCalls: v.creationExpires,
      ratio: v.ratio,
      slidingWindow: sliding,
      rule: v.rule,
      countsSince: SINCE,
      ...summedOver(ctx).evidence,
    },
    fix: SETEX_FIX,
  };
}

/**
 * Runbook Diagnosis step 4 and Scenario 2: how sessions are written, from INFO commandstats (summed
 * over the nodes) and the TTLs of a small sample of session keys. See `setThenExpire` for the rule
 * that separates SET + EXPIRE from sliding-window refreshes.
 */
export const writePatternCheck = defineCheck({
  id: 'write-pattern',
  summary: 'Checks how sessions are written: SET without TTL, SET then EXPIRE (runbook step 4, Scenario 2)',
  needs: ['redis'],
  findings: writePatternFindings,
  async run(ctx) {
    const nodes = ctx.redis.nodes;
    // Commandstats before asking for the sample, so that this check's request does not start the
    // scan first; another check may have started it already, and SCAN/PTTL are not what the rules count.
    const calls = await readCommandCalls(nodes);
    const max = Math.min(WRITE_PATTERN_SAMPLE, ctx.options.sampleSize ?? WRITE_PATTERN_SAMPLE);
    const sample = ttlSampleOf(await ctx.sampler.sample(), max, ctx.env.redis.keyPattern);
    const c = writeCounts(calls);
    return [setWithoutTtlFinding(c, calls, sample, ctx), setThenExpireFinding(c, calls, ctx)].filter(
      (f): f is RawFinding => f !== undefined,
    );
  },
});
