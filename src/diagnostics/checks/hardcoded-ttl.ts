import { defineCheck } from '../define-check.js';
import { codeWords } from '../code-hints.js';
import { hardcodedTtlSuspected } from './hardcoded-ttl.findings.js';
import type { ConfigMapView, ContainerView, PodView } from '../../core/ports/cluster.js';
import type { KeyspaceSample } from '../sampling/keyspace-sampler.js';
import { parseSwitch, SLIDING_WINDOW_KEY } from './sliding-window.js';
import { clusterTtls, roundUpTtl, type TtlCluster } from '../sampling/ttl-stats.js';
import type { CheckContext } from '../types.js';
import { count, duration } from '../../core/format.js';

const TTL_KEY = 'session_ttl_seconds';
const TTL_ENV = /^SESSION_TTL/i;
/** Sessions needed before the writers' TTL is judged. */
const MIN_SESSIONS = 20;
/** The writers' TTL is "uniform" when this share of the original TTLs falls into one cluster. */
const UNIFORM_SHARE = 0.9;
/** Below this share of the expected TTL, sessions end more than 50% early (runbook escalation): critical. */
const CRITICAL_RATIO = 0.5;

/** Two TTLs are the same setting within max(5 s, 2 %), the tolerance `clusterTtls` groups by. */
export function sameTtl(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(5, Math.min(a, b) * 0.02);
}

function parseTtl(raw: string | undefined): number | undefined {
  const t = raw?.trim();
  return t && /^\d+$/.test(t) && Number(t) > 0 ? Number(t) : undefined;
}

/** A TTL the configuration gives the app, and where it comes from. */
export interface ConfiguredTtl {
  source: string;
  seconds: number;
}

function references(c: ContainerView, cm: string): boolean {
  return c.envFromConfigMaps.includes(cm) || c.env.some((e) => e.configMapKeyRef?.name === cm);
}

/** The ConfigMap's TTL and every SESSION_TTL* value in the pods (literal or through a configMapKeyRef). */
async function configuredTtls(
  ctx: CheckContext,
  cm: ConfigMapView | undefined,
  cmName: string,
  pods: PodView[],
): Promise<ConfiguredTtl[]> {
  const out: ConfiguredTtl[] = [];
  const cmTtl = parseTtl(cm?.data[TTL_KEY]);
  if (cmTtl !== undefined) out.push({ source: `ConfigMap ${cmName} ${TTL_KEY}`, seconds: cmTtl });
  const others = new Map<string, Promise<ConfigMapView | undefined>>();
  const otherCm = (name: string) => {
    let p = others.get(name);
    if (!p) others.set(name, (p = ctx.cluster.readConfigMap(name)));
    return p;
  };
  for (const pod of pods) {
    for (const c of pod.containers) {
      for (const e of c.env) {
        if (!TTL_ENV.test(e.name)) continue;
        let seconds: number | undefined;
        let source: string;
        if (e.value !== undefined) {
          seconds = parseTtl(e.value);
          source = `${e.name}=${e.value} in container ${c.name}`;
        } else if (e.configMapKeyRef) {
          const ref = e.configMapKeyRef;
          const from = ref.name === cmName ? cm : await otherCm(ref.name);
          seconds = parseTtl(from?.data[ref.key]);
          source = `${e.name} from ConfigMap ${ref.name} key ${ref.key} in container ${c.name}`;
        } else continue;
        if (seconds !== undefined && !out.some((o) => o.source === source)) out.push({ source, seconds });
      }
    }
  }
  return out;
}

/** Pods that took their env from the ConfigMap before its last change still run with the old TTL. */
function stalePods(pods: PodView[], cm: ConfigMapView | undefined, cmName: string): string[] {
  const changedAt = cm?.lastChangedAt;
  if (changedAt === undefined) return [];
  return pods
    .filter((p) =>
      p.containers.some((c) => references(c, cmName) && (c.startedAt ?? p.startedAt ?? Infinity) < changedAt),
    )
    .map((p) => p.name);
}

type Basis = 'created_at' | 'last_access';

interface Sample {
  remaining: number[];
  originals: number[];
  beforeChange: number;
}

/** The remaining and original TTLs of the sampled sessions with a TTL, age counted from `basis`. */
function fromSample(sample: KeyspaceSample, basis: Basis, notBefore: number | undefined): Sample {
  const out: Sample = { remaining: [], originals: [], beforeChange: 0 };
  for (const k of sample.keys) {
    if (k.pttlMs < 0) continue;
    const remaining = k.pttlMs / 1000;
    out.remaining.push(remaining);
    if (!k.value || k.readAtMs === undefined) continue;
    const from = basis === 'created_at' ? k.value.createdAt : k.value.lastAccessAt;
    if (from === undefined || from > k.readAtMs + 60_000) continue;
    // Written before the ConfigMap's last change: by pods with the older config.
    if (notBefore !== undefined && from < notBefore) {
      out.beforeChange++;
      continue;
    }
    out.originals.push(Math.max(0, (k.readAtMs - from) / 1000) + remaining);
  }
  return out;
}

interface WriterTtl {
  seconds: number;
  basis: string;
  sessions: number;
  /** Only a lower bound: the largest remaining TTL, used without timestamps. */
  lowerBound: boolean;
  clusters?: TtlCluster[];
}

/** The TTL the writers use: the single cluster of original TTLs, else (as a lower bound) the largest remaining TTL. */
function writerTtl(s: Sample, basis: Basis): WriterTtl | undefined {
  if (s.originals.length >= MIN_SESSIONS) {
    const clusters = clusterTtls(s.originals);
    const top = clusters[0] as TtlCluster;
    // Several TTLs in use is ttl.inconsistent's finding; one hard-coded value shows as one cluster.
    if (top.share < UNIFORM_SHARE) return undefined;
    return {
      seconds: top.ttlSeconds,
      basis: `${basis} + remaining TTL`,
      sessions: s.originals.length,
      lowerBound: false,
      clusters: clusters.slice(0, 3),
    };
  }
  if (s.remaining.length >= MIN_SESSIONS) {
    const sorted = [...s.remaining].sort((a, b) => a - b);
    const high =
      sorted.length >= 100
        ? (sorted[Math.ceil(sorted.length * 0.99) - 1] as number)
        : (sorted[sorted.length - 1] as number);
    return {
      seconds: roundUpTtl(high),
      basis: 'largest remaining TTL, rounded up',
      sessions: sorted.length,
      lowerBound: true,
    };
  }
  return undefined;
}

/**
 * Runbook Scenario 6 step 3: the TTL the writers actually use (original TTLs from the session values'
 * timestamps + remaining TTL, one uniform cluster) matches neither the ConfigMap's session_ttl_seconds
 * nor any SESSION_TTL* value in the app pods, so the TTL is likely hard-coded. Raises
 * `config.hardcoded_ttl_suspected`: critical under half the expected TTL, info when the writers use the
 * expected TTL anyway (a latent bug: config changes do not take effect), else warning.
 *
 * Silent when nothing is configured (config.missing_key), when the writers' TTL matches an env
 * override (config.env_override_mismatch) or the ConfigMap, when several TTLs are in use
 * (ttl.inconsistent), and when pods started before the ConfigMap's last change (config.stale_pods).
 * Without usable timestamps the largest remaining TTL is a lower bound, so only a writers' TTL above
 * every configured value is reported.
 */
export const hardcodedTtlCheck = defineCheck({
  id: 'hardcoded-ttl',
  summary: 'TTL the writers use against the ConfigMap and SESSION_TTL* env values (runbook Scenario 6)',
  needs: ['redis', 'kubernetes'],
  findings: [hardcodedTtlSuspected],
  async run(ctx) {
    const k = ctx.env.kubernetes;
    if (!k) return [];
    const [cm, pods] = await Promise.all([
      ctx.cluster.readConfigMap(k.appConfigMap),
      ctx.cluster.listPods(k.appSelector),
    ]);
    const configured = await configuredTtls(ctx, cm, k.appConfigMap, pods);
    if (!configured.length || stalePods(pods, cm, k.appConfigMap).length) return [];

    const sliding = parseSwitch(cm?.data[SLIDING_WINDOW_KEY] ?? '') ?? ctx.env.slidingWindow;
    // With a sliding window the TTL restarts at each access, so age counts from the last access.
    const basis: Basis = sliding ? 'last_access' : 'created_at';
    const keyspace = await ctx.sampler.sample();
    if (keyspace.reads.some((r) => !r.values)) {
      ctx.note?.(
        'session values were not read (Redis is near its maxmemory), so writer TTLs are judged from remaining TTLs alone',
      );
    }
    const sample = fromSample(keyspace, basis, cm?.lastChangedAt);

    const writer = writerTtl(sample, basis);
    if (!writer) return [];
    const matches = configured.filter((c) =>
      writer.lowerBound
        ? writer.seconds <= c.seconds || sameTtl(writer.seconds, c.seconds)
        : sameTtl(writer.seconds, c.seconds),
    );
    if (matches.length) return [];

    const expected = ctx.env.expectedTtlSeconds;
    const ratio = writer.seconds / expected;
    const severity = ratio < CRITICAL_RATIO ? 'critical' : sameTtl(writer.seconds, expected) ? 'info' : 'warning';
    const cmTtl = parseTtl(cm?.data[TTL_KEY]);
    const app = /(?:^|,)\s*app\s*==?\s*([^,\s]+)/.exec(k.appSelector)?.[1] ?? k.appConfigMap.replace(/-config$/, '');
    const list = configured.map((c) => `${c.source} (${count(c.seconds)} s)`).join('; ');
    const about = writer.lowerBound ? 'at least ' : '';
    return [
      {
        id: hardcodedTtlSuspected.id,
        severity,
        title:
          `Sessions are written with a TTL of ${about}${count(writer.seconds)} s (${duration(writer.seconds)}), ` +
          'which no configuration sets: a hard-coded TTL?',
        detail:
          `${writer.lowerBound ? 'The largest remaining TTLs' : `The original TTLs (${writer.basis}) of ${writer.sessions} sampled sessions`} show writers using ${about}${count(writer.seconds)} s, ` +
          `but the configuration says ${list}. The app does not take its TTL from the configuration: look ` +
          'for a TTL hard-coded in the session code (runbook Scenario 6 step 3).' +
          (severity === 'info'
            ? ` The writers' TTL equals the expected ${count(expected)} s, so sessions are fine today, but changing the configuration will not change it.`
            : '') +
          (severity === 'critical' ? ` Sessions end more than 50% early (runbook escalation threshold).` : ''),
        evidence: {
          writerTtlSeconds: writer.seconds,
          basis: writer.basis,
          lowerBound: writer.lowerBound,
          sessions: writer.sessions,
          ...(writer.clusters ? { clusters: writer.clusters } : {}),
          configured,
          configMapTtlSeconds: cmTtl ?? null,
          expectedTtlSeconds: expected,
          ratio: Math.round(ratio * 1000) / 1000,
          ...(sample.beforeChange ? { skippedWrittenBeforeConfigChange: sample.beforeChange } : {}),
        },
        fix:
          `Look for a literal TTL: ${codeWords(ctx.env).grepLiteralTtl} (and the code that calls ` +
          `setex/expire); make it read ${TTL_KEY} / SESSION_TTL_SECONDS, check kubectl exec -n ` +
          `${k.namespace} <app pod> -- env | grep SESSION_TTL, then kubectl rollout restart deployment/${app} ` +
          `-n ${k.namespace}.`,
      },
    ];
  },
});
