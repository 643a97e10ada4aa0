import { defineCheck } from '../define-check.js';
import { codeWords, type CodeWords } from '../code-hints.js';
import { deletionBulk, deletionInLogs, deletionsFindings } from './deletions.findings.js';
import { callsOf, readCommandCalls } from '../redis-info/commandstats.js';
import { nodeNoun } from './node-scope.js';
import { ClusterError, type PodView } from '../../core/ports/cluster.js';
import type { RedisNodePort } from '../../core/ports/session-store.js';
import { parseTimestamp } from '../sampling/session-value.js';
import type { CheckContext, RawFinding } from '../types.js';
import { count, duration } from '../../core/format.js';

const DEFAULT_TAIL_LINES = 200;
/** Pods whose logs are read; replicas of one Deployment log alike, so a few tell the story. */
const MAX_PODS = 20;
/** `deletion.bulk`: this many deletions within BULK_WINDOW_MS, or one line reporting this many. */
export const BULK_COUNT = 50;
export const BULK_WINDOW_MS = 60_000;
/** A bulk this many times BULK_COUNT is critical. */
const CRITICAL_FACTOR = 10;
const MAX_SAMPLES = 5;
const MAX_SAMPLE_CHARS = 240;

/** The runbook's `grep -i "session.*delet\|session.*revok"`, plus the other word order, purges and raw DEL/UNLINK. */
const DELETION =
  /session.*(delet|revok|purg|remov|invalidat)|(delet|revok|purg|remov|invalidat)\w*.*session|\b(DEL|UNLINK)\s+session:/i;
/** Deletions that are intended by design (runbook Scenario 4 step 4). */
const LOGOUT = /log(ged|ging)?[ _-]?(out|off)|sign(ed|ing)?[ _-]?(out|off)/i;
/** A line that reports how many sessions one operation deleted. */
const BULK_COUNT_LINES = [
  /\b(?:delet|revok|purg|remov|invalidat)\w*\s+(\d[\d,]*)\s+(?:[\w-]+\s+){0,2}sessions?\b/i,
  /\b(\d[\d,]*)\s+(?:[\w-]+\s+){0,2}sessions?\s+(?:were\s+|have\s+been\s+|got\s+)?(?:delet|revok|purg|remov|invalidat)/i,
  /\bsessions?[\w ]*?\b(?:deleted|revoked|purged|removed)\s*[=:]\s*(\d[\d,]*)/i,
];

/** A field of a parsed JSON log line, whatever its type. */
const fieldOf = (line: object, key: string): unknown => Reflect.get(line, key);

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/**
 * The time a log line was written, from its start: ISO 8601 (`2026-11-20T10:00:00.123Z`,
 * `2026-11-20 10:00:00,123`; without a zone read as UTC), JSON lines (`time`, `timestamp`, `ts`,
 * `@timestamp`), syslog (`Nov 20 10:00:00`, year from `nowMs`) or a bracketed Common Log Format time
 * anywhere in the line (`[20/Nov/2026:10:00:00 +0000]`). Undefined when none is found.
 *
 * @example lineTime('2026-11-20 10:00:00,250 INFO deleted session') // Date.UTC(2026, 10, 20, 10, 0, 0, 250)
 */
export function lineTime(line: string, nowMs: number): number | undefined {
  const iso = /^\s*\[?(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?\]?/.exec(
    line,
  );
  if (iso) {
    const frac = iso[3] ? `.${iso[3].slice(0, 3).padEnd(3, '0')}` : '';
    const zone = iso[4] ? (iso[4] === 'Z' ? 'Z' : iso[4].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
    const ms = Date.parse(`${iso[1]}T${iso[2]}${frac}${zone}`);
    if (Number.isFinite(ms)) return ms;
  }
  const trimmed = line.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      const fields = typeof parsed === 'object' && parsed !== null ? parsed : {};
      for (const key of ['time', 'timestamp', 'ts', '@timestamp', 'asctime']) {
        const ms = parseTimestamp(fieldOf(fields, key));
        if (ms !== undefined) return ms;
      }
    } catch {
      // Not JSON after all; try the other formats.
    }
  }
  const clf = /\[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})\s*([+-])(\d{2})(\d{2})\]/.exec(line);
  if (clf) {
    const month = MONTHS[(clf[2] ?? '').toLowerCase()];
    if (month !== undefined) {
      const zoneMs = (clf[7] === '-' ? -1 : 1) * (Number(clf[8]) * 60 + Number(clf[9])) * 60_000;
      return Date.UTC(Number(clf[3]), month, Number(clf[1]), Number(clf[4]), Number(clf[5]), Number(clf[6])) - zoneMs;
    }
  }
  const syslog = /^\s*(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\b/.exec(line);
  if (syslog) {
    const month = MONTHS[(syslog[1] ?? '').toLowerCase()];
    if (month !== undefined) {
      const year = new Date(nowMs).getUTCFullYear();
      const at = (y: number) =>
        Date.UTC(y, month, Number(syslog[2]), Number(syslog[3]), Number(syslog[4]), Number(syslog[5]));
      // Syslog has no year: a time more than a day ahead belongs to last year.
      return at(year) > nowMs + 86_400_000 ? at(year - 1) : at(year);
    }
  }
  return undefined;
}

const SECRET_KEYS =
  'session[_-]?id|sessionid|sid|token|access[_-]?token|refresh[_-]?token|id[_-]?token|password|passwd|secret|api[_-]?key|authorization|cookie|csrf';

/**
 * Masks what a log line may carry that must not reach Slack: session ids (`session:<id>`,
 * `session_id=...`, JSON fields), bearer tokens and JWTs, other secrets given as key=value or JSON,
 * emails, IPv4/IPv6 addresses, UUIDs and long opaque ids. Timestamps and words stay readable.
 *
 * @example redactLogLine('deleted session:3f9a1c7e for bob@example.com from 10.0.0.7')
 * // 'deleted session:<redacted> for <email> from <ip>'
 */
export function redactLogLine(line: string): string {
  return (
    line
      // A header value is quoted (JSON) or runs to the end of the line: a Cookie header holds several secrets.
      .replace(
        /\b((?:set-)?cookie|authorization)("?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\n]*)/gi,
        (_m, k: string, sep: string, v: string) => `${k}${sep}${v.startsWith('"') ? '"<redacted>"' : '<redacted>'}`,
      )
      .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer <redacted>')
      .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, '<jwt>')
      .replace(new RegExp(`("(?:${SECRET_KEYS})"\\s*:\\s*)"[^"]*"`, 'gi'), '$1"<redacted>"')
      .replace(
        new RegExp(`\\b((?:${SECRET_KEYS})\\s*[=:]\\s*)("[^"]*"|'[^']*'|[^\\s,;&"'}\\]]+)`, 'gi'),
        '$1<redacted>',
      )
      .replace(/\b(sessions?[:/])[A-Za-z0-9._~+=-]+/gi, '$1<redacted>')
      .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, '<email>')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
      .replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '<ip>')
      // IPv6: eight groups, or a compressed form with "::" (times like 10:00:00 have neither).
      .replace(/(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])/gi, '<ip>')
      .replace(
        /(?<![\w:])(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?(?![\w:])|(?<![\w:])::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)(?![\w:])/gi,
        '<ip>',
      )
      // Long opaque ids (hex or base64url with letters and digits mixed), e.g. session ids in prose.
      .replace(/\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}\b/g, '<redacted>')
  );
}

/** A count of sessions that one log line reports as deleted, e.g. "deleted 1,200 sessions". */
export function reportedBulkCount(line: string): number | undefined {
  for (const re of BULK_COUNT_LINES) {
    const digits = re.exec(line)?.[1];
    if (digits) {
      const n = Number(digits.replace(/,/g, ''));
      if (Number.isFinite(n)) return n;
    }
  }
  return undefined;
}

interface Match {
  pod: string;
  line: string;
  time?: number;
  logout: boolean;
  reportedCount?: number;
}

/** The largest number of (non-logout) deletions inside any window of `windowMs`, and where it starts. */
export function densestWindow(
  times: readonly number[],
  windowMs: number,
): { count: number; startMs?: number; endMs?: number } {
  const sorted = [...times].sort((a, b) => a - b);
  let best: { count: number; startMs?: number; endMs?: number } = { count: 0 };
  let lo = 0;
  for (const [hi, end] of sorted.entries()) {
    // lo <= hi, so sorted[lo] is there; the fallback only ends the loop.
    while (end - (sorted[lo] ?? end) > windowMs) lo++;
    if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, startMs: sorted[lo], endMs: end };
  }
  return best;
}

/** DEL and UNLINK calls summed over the nodes (since the last restart or CONFIG RESETSTAT). */
async function deleteCalls(nodes: readonly RedisNodePort[]): Promise<{ del: number; unlink: number; nodes: number }> {
  const calls = await readCommandCalls(nodes);
  return { del: callsOf(calls, ['del']), unlink: callsOf(calls, ['unlink']), nodes: nodes.length };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const sample = (m: Match) => {
  const text = redactLogLine(m.line.trim());
  return `${m.pod}: ${text.length > MAX_SAMPLE_CHARS ? `${text.slice(0, MAX_SAMPLE_CHARS)}…` : text}`;
};

function pickSamples(matches: Match[]): string[] {
  // Bulk reports first, then other deletions, then logouts.
  const rank = (m: Match) => (m.reportedCount !== undefined ? 0 : m.logout ? 2 : 1);
  return [...matches]
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, MAX_SAMPLES)
    .map(sample);
}

interface Searched {
  pods: PodView[];
  tailLines: number;
  linesRead: number;
  matches: Match[];
  podErrors: { pod: string; error: string }[];
}

async function searchLogs(ctx: CheckContext<'kubernetes'>, selector: string, tailLines: number): Promise<Searched> {
  const pods = (await ctx.cluster.listPods(selector)).slice(0, MAX_PODS);
  const podLogs = ctx.cluster.podLogs?.bind(ctx.cluster);
  const podErrors: { pod: string; error: string }[] = [];
  const read = async (pod: string): Promise<string> => {
    if (!podLogs) return '';
    try {
      return await podLogs(pod, tailLines);
    } catch (err) {
      // Access or connectivity fails every pod alike: let the engine report it. A pod whose
      // container is not running yet has no log; the others still count.
      if (!(err instanceof ClusterError) || err.kind === 'forbidden' || err.kind === 'unreachable') throw err;
      podErrors.push({ pod, error: err.message });
      return '';
    }
  };
  const texts = await Promise.all(pods.map(async (p) => ({ pod: p.name, text: await read(p.name) })));
  const nowMs = ctx.now();
  const out: Searched = { pods, tailLines, linesRead: 0, matches: [], podErrors };
  texts.forEach(({ pod, text }) => {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      out.linesRead++;
      if (!DELETION.test(line)) continue;
      const time = lineTime(line, nowMs);
      const reportedCount = reportedBulkCount(line);
      out.matches.push({
        pod,
        line,
        logout: LOGOUT.test(line),
        ...(time !== undefined ? { time } : {}),
        ...(reportedCount !== undefined ? { reportedCount } : {}),
      });
    }
  });
  return out;
}

function inLogsFinding(
  s: Searched,
  ns: string,
  selector: string,
  redisDeletes: Record<string, unknown> | undefined,
  code: CodeWords,
): RawFinding | undefined {
  if (!s.matches.length) return undefined;
  const logouts = s.matches.filter((m) => m.logout).length;
  const others = s.matches.length - logouts;
  const byPod: Record<string, number> = {};
  for (const m of s.matches) byPod[m.pod] = (byPod[m.pod] ?? 0) + 1;
  return {
    id: deletionInLogs.id,
    // Logouts are deletions by design; anything else deletes sessions before their TTL on purpose or by mistake.
    severity: others > 0 ? 'warning' : 'info',
    title:
      others > 0
        ? `${count(others)} session deletion/revocation line(s) in the last ${count(s.tailLines)} log lines ` +
          `of ${s.pods.length} app pod(s)${logouts ? ` (plus ${count(logouts)} logout(s))` : ''}`
        : `${count(logouts)} session deletion(s) in the app logs, all logouts`,
    detail:
      others > 0
        ? 'The app logs show sessions being deleted or revoked before their TTL (runbook Scenario 4). ' +
          'Check whether each is intended (logout, security revocation) or comes from a cleanup job or a ' +
          'bug.'
        : 'Only logouts delete sessions in the searched logs, which is intended.',
    evidence: {
      namespace: ns,
      selector,
      podsSearched: s.pods.length,
      tailLines: s.tailLines,
      linesRead: s.linesRead,
      matched: s.matches.length,
      logouts,
      otherDeletions: others,
      byPod,
      samples: pickSamples(s.matches),
      ...(s.podErrors.length ? { podErrors: s.podErrors } : {}),
      ...(redisDeletes ? { redisDeletes } : {}),
    },
    fix:
      `Find what deletes sessions: kubectl logs -n ${ns} -l ${selector} --tail=${s.tailLines} | grep ` +
      `-i "session.*delet\\|session.*revok", and in the code ${code.grepDeletes}; stop or fix the ` +
      'deletions that are not logouts or intended revocations.',
  };
}

function bulkFinding(
  s: Searched,
  ns: string,
  selector: string,
  redisDeletes: Record<string, unknown> | undefined,
  code: CodeWords,
): RawFinding | undefined {
  const deletions = s.matches.filter((m) => !m.logout);
  const window = densestWindow(
    deletions.flatMap((m) => (m.time !== undefined ? [m.time] : [])),
    BULK_WINDOW_MS,
  );
  const reported = deletions.flatMap(({ reportedCount, ...m }) =>
    reportedCount !== undefined && reportedCount >= BULK_COUNT ? [{ ...m, reportedCount }] : [],
  );
  const largestReported = reported.reduce((max, m) => Math.max(max, m.reportedCount), 0);
  if (window.count < BULK_COUNT && !reported.length) return undefined;
  const biggest = Math.max(window.count, largestReported);
  const parts: string[] = [];
  if (window.count >= BULK_COUNT) {
    parts.push(
      `${count(window.count)} deletions within ${duration(BULK_WINDOW_MS / 1000)} (${iso(window.startMs)} to ${iso(window.endMs)})`,
    );
  }
  if (reported.length)
    parts.push(`${reported.length} line(s) reporting a bulk deletion of up to ${count(largestReported)} sessions`);
  return {
    id: deletionBulk.id,
    severity: biggest >= BULK_COUNT * CRITICAL_FACTOR ? 'critical' : 'warning',
    title: `Bulk session deletion in the app logs: ${parts.join('; ')}`,
    detail:
      'Many sessions were deleted at once, which logs users out before their TTL (runbook Scenario ' +
      '4): look for a cleanup job, a script, a migration or a mass revocation around that time.',
    evidence: {
      namespace: ns,
      selector,
      windowSeconds: BULK_WINDOW_MS / 1000,
      threshold: BULK_COUNT,
      densestWindow: { count: window.count, from: iso(window.startMs), to: iso(window.endMs) },
      reportedBulkCounts: reported.map((m) => m.reportedCount),
      samples: pickSamples(reported.length ? reported : deletions),
      ...(redisDeletes ? { redisDeletes } : {}),
    },
    fix:
      `Check for session cleanup jobs or scripts (kubectl get cronjobs,jobs -n ${ns}) and the code ` +
      `path behind the sample lines (${code.grepDeletes}); confirm the deletion was intended and stop ` +
      'it if not.',
  };
}

/**
 * Why the logs could not be searched, and what judges Scenario 4 instead: the DEL/UNLINK calls against the
 * expired keys (`deletion-counters`), which count every client's deletes (the bot's own canary DEL among them)
 * and so are no evidence on their own.
 */
function noLogsReason(
  ctx: CheckContext<'kubernetes', 'redis'>,
  searched: Searched,
  selector: string,
  calls: { del: number; unlink: number } | undefined,
): string {
  const source = ctx.cluster.description;
  const why = !ctx.cluster.podLogs
    ? `${source} has no pod logs`
    : searched.pods.length
      ? `the ${searched.pods.length} pod(s) matching ${selector} returned empty logs from ${source}`
      : `no pods match ${selector} in ${source}`;
  // What decides comes first: a long source description is what a narrow screen clips.
  const instead = calls
    ? 'deletion-counters judges Scenario 4 from the DEL/UNLINK calls against expired keys'
    : 'and no Redis source to count DEL/UNLINK calls';
  return `no app log lines to search; ${instead} (${why})`;
}

/**
 * Runbook Scenario 4: searches the tail of the app pods' logs (`options.logTailLines`) for session
 * deletions and revocations, like the runbook's grep, and reads DEL/UNLINK counts from Redis INFO
 * commandstats when a Redis source is present. Raises `deletion.in_logs` (a warning unless every line
 * is a logout) and `deletion.bulk` (>= 50 deletions within 60 s, or a line reporting >= 50 deleted
 * sessions). Sample lines are redacted. When no log line can be read (a manifests source, no pods), the
 * check is skipped with the reason: `deletion-counters` then judges Scenario 4 alone, from what Redis counts.
 */
export const deletionsCheck = defineCheck({
  id: 'deletions',
  summary: 'Session deletions and revocations in the app logs, and DEL/UNLINK counts in Redis (runbook Scenario 4)',
  needs: ['kubernetes'],
  optional: ['redis'],
  findings: deletionsFindings,
  async run(ctx) {
    const k = ctx.env.kubernetes;
    if (!k) return [];
    const tailLines = ctx.options.logTailLines ?? DEFAULT_TAIL_LINES;
    const nodes = ctx.redis?.nodes ?? [];
    const [searched, calls] = await Promise.all([
      searchLogs(ctx, k.appSelector, tailLines),
      nodes.length ? deleteCalls(nodes) : Promise.resolve(undefined),
    ]);
    const redisDeletes = calls && {
      ...calls,
      note:
        `DEL/UNLINK calls on all keys${calls.nodes > 1 ? `, summed over ${calls.nodes} ${nodeNoun(ctx.redis ?? {})}` : ''} ` +
        'since the last restart or CONFIG RESETSTAT (INFO commandstats), not only sessions.',
    };
    if (!searched.linesRead) {
      ctx.skip?.(noLogsReason(ctx, searched, k.appSelector, calls));
      return [];
    }
    const code = codeWords(ctx.env);
    return [
      inLogsFinding(searched, k.namespace, k.appSelector, redisDeletes, code),
      bulkFinding(searched, k.namespace, k.appSelector, redisDeletes, code),
    ].filter((f): f is RawFinding => f !== undefined);
  },
});
