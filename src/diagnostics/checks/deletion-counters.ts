import { z } from 'zod';
import { defineCheck } from '../define-check.js';
import { deletionCommands, deletionCountersFindings } from './deletion-counters.findings.js';
import { parseCommandStats } from '../redis-info/commandstats.js';
import { nodeNoun, onNodes } from './node-scope.js';
import { parseInfoReply } from '../redis-info/info-reply.js';
import type { RedisNodePort } from '../../core/ports/session-store.js';
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
    const nodes = ctx.redis.nodes;
    const [stats, counters] = await Promise.all([
      Promise.all(nodes.map(async (node) => parseCommandStats(await node.info('commandstats'), node.address))),
      Promise.all(nodes.map(readCounters)),
    ]);
    const callsOn = (i: number, command: string) => stats[i]?.[command]?.calls ?? 0;
    const del = stats.reduce((sum, _, i) => sum + callsOn(i, 'del'), 0);
    const unlink = stats.reduce((sum, _, i) => sum + callsOn(i, 'unlink'), 0);
    const deletes = del + unlink;
    const sum = (f: (c: (typeof counters)[number]) => number) => counters.reduce((s, c) => s + f(c), 0);
    const expiredKeys = sum((c) => c.expired_keys);
    const evictedKeys = sum((c) => c.evicted_keys);
    const keys = sum((c) => c.keys);
    const expires = sum((c) => c.expires);
    const uptimes = counters.flatMap((c) => (c.uptime === null ? [] : [c.uptime]));
    const sinceSeconds = uptimes.length ? Math.max(...uptimes) : null;
    if (deletes < BULK_COUNT) {
      ctx.note?.(`Redis counted ${count(deletes)} DEL/UNLINK calls and ${count(expiredKeys)} expired keys`);
      return [];
    }
    const deletedShare = Math.round((deletes / (deletes + expiredKeys)) * 1000) / 1000;
    // Summed over a cluster's masters; each master's own counts show where the deletes went.
    const perNode = nodes.map((node, i) => ({
      address: node.address,
      del: callsOn(i, 'del'),
      unlink: callsOn(i, 'unlink'),
      expiredKeys: counters[i]?.expired_keys ?? 0,
      evictedKeys: counters[i]?.evicted_keys ?? 0,
      keys: counters[i]?.keys ?? 0,
    }));
    const deletingNodes = perNode.filter((n) => n.del + n.unlink > 0).map((n) => n.address);
    const summed =
      nodes.length > 1
        ? ` (summed over ${nodes.length} ${nodeNoun(ctx.redis)}; DEL/UNLINK${onNodes(deletingNodes, nodes.length, nodeNoun(ctx.redis))})`
        : '';
    const dominant = deletedShare >= DELETED_SHARE;
    const since =
      sinceSeconds === null
        ? 'since the counters started'
        : `in the last ${duration(sinceSeconds)} (since start or CONFIG RESETSTAT)`;
    return [
      {
        id: deletionCommands.id,
        severity: !dominant ? 'info' : deletes >= BULK_COUNT * CRITICAL_FACTOR ? 'critical' : 'warning',
        title: dominant
          ? `Redis counted ${count(deletes)} DEL/UNLINK calls against ${count(expiredKeys)} expired keys${summed}: keys are deleted before their TTL`
          : `Redis counted ${count(deletes)} DEL/UNLINK calls, fewer than the ${count(expiredKeys)} keys that expired${summed}`,
        detail: dominant
          ? `${percent(deletedShare)} of the keys that ended ${since} were deleted rather than expired (${count(del)} ` +
            `DEL, ${count(unlink)} UNLINK; ${count(keys)} keys in the store now, ${count(expires)} with a ` +
            'TTL). Sessions normally end by expiring: something deletes them (runbook Scenario 4), e.g. a ' +
            'cleanup job, a script or a mass revocation. A DEL of many keys counts once, so more keys may ' +
            'have gone.'
          : `Deletes are a minority of how keys end ${since} (${percent(deletedShare)}); logouts and revocations delete sessions by design.`,
        evidence: {
          del,
          unlink,
          expiredKeys,
          evictedKeys,
          keys,
          expires,
          deletedShare,
          sinceSeconds,
          nodes: nodes.length,
          ...(nodes.length > 1 ? { perNode } : {}),
          note: 'INFO commandstats and INFO stats count all keys, not only sessions, since the server started or CONFIG RESETSTAT.',
        },
        fix:
          'Find who deletes: redis-cli CLIENT LIST (a cleanup job or script connected now), the app logs ' +
          'around the drop (grep -i "session.*delet\\|session.*revok"), cron jobs (kubectl get ' +
          `cronjobs,jobs -n ${ctx.env.kubernetes?.namespace ?? '<namespace>'}); stop deletions that are ` +
          'not logouts or intended revocations.',
      },
    ];
  },
});
