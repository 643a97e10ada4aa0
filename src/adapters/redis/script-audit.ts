import type { Redis } from 'ioredis';
import type { KeyspaceAuditRequest } from '../../core/ports/session-store.js';
import { AUDIT_SCRIPT, auditScriptArgs, parseAuditReply, type AuditMode } from './audit-script.js';
import { replyPrefix } from './redis-error.js';
import { textOf } from './replies.js';

/** Thrown when the server will not run the script, before any batch was counted: the caller falls back. */
export class ScriptRefusedError extends Error {
  override name = 'ScriptRefusedError';
}

/**
 * Whether a reply error means "this server does not run scripts for us": an ACL without @scripting
 * (NOPERM), or EVAL/EVALSHA/SCRIPT disabled or renamed on a managed Redis (unknown command).
 */
export function isScriptRefusal(err: unknown): boolean {
  const prefix = replyPrefix(err);
  if (prefix === 'NOPERM') return true;
  const text = err instanceof Error ? err.message : '';
  return prefix !== undefined && /unknown command|not allowed|disabled|unknown subcommand/i.test(text);
}

/** Why the script was refused, for the report (the reply's first line, never arguments). */
export function refusalText(err: unknown): string {
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return line.replace(/, with args beginning with:.*$/, '').slice(0, 200);
}

/**
 * Whether two cursors may share this server's keyspace (`INFO server`): Redis itself, not in cluster
 * mode, whose SCAN visits every even bucket before bucket 1. A cluster node of Redis 7.4+ keeps a table
 * per slot and puts the slot in the cursor's low bits, and other servers speaking the protocol (Valkey
 * 8.1's new table, Dragonfly) scan their own way: one cursor there.
 */
export function twoCursorsFit(server: Record<string, string>): boolean {
  const other = ['valkey_version', 'dragonfly_version'].some((k) => server[k] !== undefined);
  const name = server.server_name;
  return server.redis_mode === 'standalone' && !other && (name === undefined || name === 'redis');
}

/** The audit's script (its SHA, loaded again after a flush), batches so far, and whether a chain failed. */
interface ScriptState {
  sha: string;
  batches: number;
  failed?: boolean;
}

/** One chain of script calls: where it starts and how its first call scans. */
interface Chain {
  cursor: string;
  mode: AuditMode;
}

const EVEN_HALF: Chain = { cursor: '0', mode: 'even' };

/**
 * Audits every key with one EVALSHA per SCAN batch (see `AUDIT_SCRIPT`): the client sends a cursor
 * and receives a few dozen numbers, so its work per key is nil. With `halves`, two cursors share the
 * keyspace (even buckets from 0, the rest from 1) on the one connection: the server runs one chain's
 * call while the client reads the other's reply, so it is never idle between batches. Throws
 * `ScriptRefusedError` when the server refuses scripting before the first batch; anything else (a
 * refusal mid-audit too) is thrown as is.
 *
 * @returns the number of batches
 */
export async function scriptAudit(client: Redis, req: KeyspaceAuditRequest, halves = false): Promise<number> {
  const script: ScriptState = { sha: await loadScript(client), batches: 0 };
  if (req.signal.aborted) return 0;
  // The even half from 0, the rest from 1 (see AUDIT_SCRIPT); or one cursor over everything.
  const chains: Chain[] = halves ? [EVEN_HALF, { cursor: '1', mode: 'all' }] : [{ cursor: '0', mode: 'all' }];
  // Both settle before a failure is thrown: no call of this audit is left running behind the caller.
  const results = await Promise.allSettled(chains.map((c) => runChain(client, req, script, c)));
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return script.batches;
}

async function loadScript(client: Redis): Promise<string> {
  try {
    return textOf(await client.script('LOAD', AUDIT_SCRIPT), 'SCRIPT LOAD');
  } catch (err) {
    if (isScriptRefusal(err)) throw new ScriptRefusedError(refusalText(err));
    throw err;
  }
}

/** One script call; a script dropped meanwhile (a restart, SCRIPT FLUSH) is loaded again once. */
async function scriptCall(client: Redis, script: ScriptState, args: string[]): Promise<unknown> {
  try {
    return await client.callBuffer('EVALSHA', script.sha, '0', ...args);
  } catch (err) {
    if (script.batches === 0 && isScriptRefusal(err)) throw new ScriptRefusedError(refusalText(err));
    if (replyPrefix(err) !== 'NOSCRIPT') throw err;
    script.sha = textOf(await client.script('LOAD', AUDIT_SCRIPT), 'SCRIPT LOAD');
    return client.callBuffer('EVALSHA', script.sha, '0', ...args);
  }
}

async function runChain(client: Redis, req: KeyspaceAuditRequest, script: ScriptState, chain: Chain): Promise<void> {
  let { cursor, mode } = chain;
  do {
    const args = auditScriptArgs(cursor, req.pattern, req.count, req.layout, req.wantKeys(), mode);
    let reply: unknown;
    try {
      reply = await scriptCall(client, script, args);
    } catch (err) {
      // The other chain stops at its next batch: the audit has failed.
      script.failed = true;
      throw err;
    }
    const { cursor: next, counts } = parseAuditReply(reply);
    // `s<cursor>`: the even half goes on in steps from there.
    [cursor, mode] = next.startsWith('s') ? [next.slice(1), 'step'] : [next, mode];
    script.batches++;
    req.onCounts(counts);
    req.onBatch?.(counts.scanned);
    if (cursor !== '0' && req.pause) await req.pause();
  } while (cursor !== '0' && !req.signal.aborted && !script.failed);
}
