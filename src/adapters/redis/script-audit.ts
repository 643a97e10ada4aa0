import type { Redis } from 'ioredis';
import type { KeyspaceAuditRequest } from '../../core/ports/session-store.js';
import { AUDIT_SCRIPT, auditScriptArgs, parseAuditReply } from './audit-script.js';
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
 * Audits every key with one EVALSHA per SCAN batch (see `AUDIT_SCRIPT`): the client sends a cursor
 * and receives a few dozen numbers, so its work per key is nil. Throws `ScriptRefusedError` when the
 * server refuses scripting before the first batch; anything else (a refusal mid-audit too) is thrown as is.
 *
 * @returns the number of batches
 */
export async function scriptAudit(client: Redis, req: KeyspaceAuditRequest): Promise<number> {
  let sha: string;
  try {
    sha = textOf(await client.script('LOAD', AUDIT_SCRIPT), 'SCRIPT LOAD');
  } catch (err) {
    if (isScriptRefusal(err)) throw new ScriptRefusedError(refusalText(err));
    throw err;
  }
  let cursor = '0';
  let batches = 0;
  if (req.signal.aborted) return 0;
  do {
    const args = auditScriptArgs(cursor, req.pattern, req.count, req.layout, req.wantKeys());
    let reply: unknown;
    try {
      reply = await client.callBuffer('EVALSHA', sha, '0', ...args);
    } catch (err) {
      if (batches === 0 && isScriptRefusal(err)) throw new ScriptRefusedError(refusalText(err));
      // A restart or SCRIPT FLUSH mid-audit drops the script: load it again once and go on.
      if (replyPrefix(err) !== 'NOSCRIPT') throw err;
      sha = textOf(await client.script('LOAD', AUDIT_SCRIPT), 'SCRIPT LOAD');
      reply = await client.callBuffer('EVALSHA', sha, '0', ...args);
    }
    const { cursor: next, counts } = parseAuditReply(reply);
    cursor = next;
    batches++;
    req.onCounts(counts);
    req.onBatch?.(counts.scanned);
    if (cursor !== '0' && req.pause) await req.pause();
  } while (cursor !== '0' && !req.signal.aborted);
  return batches;
}
