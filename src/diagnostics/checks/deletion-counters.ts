import { z } from 'zod';
import { defineCheck } from '../define-check.js';
import { deletionCommands, deletionCountersFindings } from './deletion-counters.findings.js';
import { parseCommandStats } from '../redis-info/commandstats.js';
import { nodeNoun, onNodes } from './node-scope.js';
import { parseInfoReply } from '../redis-info/info-reply.js';
import type { RedisNodePort } from '../../core/ports/session-store.js';
import type { CheckContext, RawFinding } from '../types.js';
import { count, duration, percent } from '../../core/format.js';
import { BULK_COUNT } from './deletions.js';

/** Deletes at least this share of (deletes + expirations): keys end by deletion more than by their TTL. */
export const DELETED_SHARE = 0.5;
/** A deletion count this many times BULK_COUNT, with deletions dominating, is critical. */
const CRITICAL_FACTOR = 10;

const countField = z.coerce.number().int().nonnegative();
const statsSchema = z.object({ expired_keys: countField, evicted_keys: countField });
const serverSchema = z.object({ uptime_in_seconds: countField.optional() });

async function readCounters(node: RedisNodePort) {
  const [stats, server, keyspace] = await Promise.all([
    node.info('stats').then((i) => parseInfoReply(statsSchema, i, 'stats', node.address)),
    node.info('server').then((i) => parseInfoReply(serverSchema, i, 'server', node.address)),
    node.keyspace(),
  ]);
  return { ...stats, uptime: server.uptime_in_seconds ?? null, ...keyspace };
}

/** What one node counted: DEL and UNLINK calls, key ends, keys now, and its uptime. */
interface NodeCounts {
  address: string;
  del: number;
  unlink: number;
  expiredKeys: number;
  evictedKeys: number;
  keys: number;
  expires: number;
  uptime: number | null;
}

async function readNodeCounts(node: RedisNodePort): Promise<NodeCounts> {
  const [stats, counters] = await Promise.all([
    node.info('commandstats').then((reply) => parseCommandStats(reply, node.address)),
    readCounters(node),
  ]);
  return {
    address: node.address,
    del: stats.del?.calls ?? 0,
    unlink: stats.unlink?.calls ?? 0,
    expiredKeys: counters.expired_keys,
    evictedKeys: counters.evicted_keys,
    keys: counters.keys,
    expires: counters.expires,
    uptime: counters.uptime,
  };
}

/** The counts summed over the nodes (a cluster's masters). */
function totalsOf(perNode: readonly NodeCounts[]) {
  const sum = (f: (c: NodeCounts) => number) => perNode.reduce((s, c) => s + f(c), 0);
  const uptimes = perNode.flatMap((c) => (c.uptime === null ? [] : [c.uptime]));
  const del = sum((c) => c.del);
  const unlink = sum((c) => c.unlink);
  return {
    del,
    unlink,
    deletes: del + unlink,
    expiredKeys: sum((c) => c.expiredKeys),
    evictedKeys: sum((c) => c.evictedKeys),
    keys: sum((c) => c.keys),
    expires: sum((c) => c.expires),
    sinceSeconds: uptimes.length ? Math.max(...uptimes) : null,
  };
}

function deletionFinding(perNode: readonly NodeCounts[], ctx: CheckContext<'redis'>): RawFinding {
  const t = totalsOf(perNode);
  const { deletes, expiredKeys } = t;
  const n = perNode.length;
  const deletedShare = Math.round((deletes / (deletes + expiredKeys)) * 1000) / 1000;
  const deletingNodes = perNode.filter((c) => c.del + c.unlink > 0).map((c) => c.address);
  const noun = nodeNoun(ctx.redis);
  const summed = n > 1 ? ` (summed over ${n} ${noun}; DEL/UNLINK${onNodes(deletingNodes, n, noun)})` : '';
  const dominant = deletedShare >= DELETED_SHARE;
  const since =
    t.sinceSeconds === null
      ? 'since the counters started'
      : `in the last ${duration(t.sinceSeconds)} (since start or CONFIG RESETSTAT)`;
  // Summed over a cluster's masters; each master's own counts show where the deletes went.
  const nodeRows = perNode.map(({ address, del, unlink, expiredKeys, evictedKeys, keys }) => ({
    address,
    del,
    unlink,
    expiredKeys,
    evictedKeys,
    keys,
  }));
  return {
    id: deletionCommands.id,
    severity: !dominant ? 'info' : deletes >= BULK_COUNT * CRITICAL_FACTOR ? 'critical' : 'warning',
    title: dominant
      ? `Redis counted ${count(deletes)} DEL/UNLINK calls against ${count(expiredKeys)} expired keys${summed}: ` +
        'keys are deleted before their TTL'
      : `Redis counted ${count(deletes)} DEL/UNLINK calls, fewer than the ${count(expiredKeys)} keys that expired${summed}`,
    detail: dominant
      ? `${percent(deletedShare)} of the keys that ended ${since} were deleted rather than expired (${count(t.del)} ` +
        `DEL, ${count(t.unlink)} UNLINK; ${count(t.keys)} keys in the store now, ${count(t.expires)} with a ` +
        'TTL). Sessions normally end by expiring: something deletes them (runbook Scenario 4), e.g. a ' +
        'cleanup job, a script or a mass revocation. A DEL of many keys counts once, so more keys may ' +
        'have gone.'
      : `Deletes are a minority of how keys end ${since} (${percent(deletedShare)}); ` +
        'logouts and revocations delete sessions by design.',
    evidence: {
      del: t.del,
      unlink: t.unlink,
      expiredKeys,
      evictedKeys: t.evictedKeys,
      keys: t.keys,
      expires: t.expires,
      deletedShare,
      sinceSeconds: t.sinceSeconds,
      nodes: n,
      ...(n > 1 ? { perNode: nodeRows } : {}),
      note:
        'INFO commandstats and INFO stats count all keys, not only sessions, since the server started or ' +
        'CONFIG RESETSTAT.',
    },
    fix:
      'Find who deletes: redis-cli CLIENT LIST (a cleanup job or script connected now), the app logs ' +
      'around the drop (grep -i "session.*delet\\|session.*revok"), cron jobs (kubectl get ' +
      `cronjobs,jobs -n ${ctx.env.kubernetes?.namespace ?? '<namespace>'}); stop deletions that are ` +
      'not logouts or intended revocations.',
  };
}

/**
 * Runbook Scenario 4 from what Redis itself counts, so that it is judged even when no app log can be
 * read: DEL and UNLINK calls (INFO commandstats) against the keys that expired (expired_keys). Sessions
 * normally end by expiring; when at least 50 deletes are counted and they are as many as the
 * expirations, something deletes sessions before their TTL (a cleanup job, a script, a mass revocation).
 * Fewer deletes than expirations (logouts) are reported as info. The counters cover all keys since the
 * server started or the last CONFIG RESETSTAT.
 */
export const deletionCountersCheck = defineCheck({
  id: 'deletion-counters',
  summary: 'DEL/UNLINK calls against expired keys, as Redis counts them (runbook Scenario 4)',
  needs: ['redis'],
  findings: deletionCountersFindings,
  async run(ctx) {
    const perNode = await Promise.all(ctx.redis.nodes.map(readNodeCounts));
    const { deletes, expiredKeys } = totalsOf(perNode);
    if (deletes < BULK_COUNT) {
      ctx.note?.(`Redis counted ${count(deletes)} DEL/UNLINK calls and ${count(expiredKeys)} expired keys`);
      return [];
    }
    return [deletionFinding(perNode, ctx)];
  },
});
