import type { KeyspaceAuditRequest } from '../../core/ports/session-store.js';
import { encodeCommand, RespReplyError, type RespReply, type RespSocket } from './resp-socket.js';

const PTTL_HEAD = Buffer.from('*2\r\n$4\r\nPTTL\r\n$', 'latin1');

/** `PTTL <key>` for every key (binary-safe) plus an optional trailing command, in one buffer. */
export function pttlBatch(keys: readonly Buffer[], tail: Buffer | undefined): Buffer {
  let size = tail?.length ?? 0;
  for (const k of keys) size += PTTL_HEAD.length + String(k.length).length + 2 + k.length + 2;
  const out = Buffer.allocUnsafe(size);
  let p = 0;
  for (const k of keys) {
    p += PTTL_HEAD.copy(out, p);
    p += out.write(`${k.length}\r\n`, p, 'latin1');
    p += k.copy(out, p);
    p += out.write('\r\n', p, 'latin1');
  }
  if (tail) p += tail.copy(out, p);
  return out.subarray(0, p);
}

function scanReply(r: RespReply | undefined): { cursor: string; keys: Buffer[] } {
  if (r instanceof RespReplyError) throw r;
  if (!Array.isArray(r)) throw new Error('unexpected SCAN reply');
  const [cursor, keys] = r;
  if (!Buffer.isBuffer(cursor) || !Array.isArray(keys) || !keys.every((k) => Buffer.isBuffer(k)))
    throw new Error('unexpected SCAN reply');
  return { cursor: cursor.toString('latin1'), keys };
}

/**
 * SCAN + PTTL on one raw RESP socket: each batch's PTTLs leave in one write together with the next
 * SCAN, so the server reads the next batch while the client counts this one, one round trip per
 * batch, and no per-key command object or promise. Every key goes to `req.onKey`.
 *
 * @returns the number of batches
 */
export async function leanAudit(conn: RespSocket, req: KeyspaceAuditRequest): Promise<number> {
  if (req.signal.aborted) return 0;
  const scan = (cursor: string) => encodeCommand(['SCAN', cursor, 'MATCH', req.pattern, 'COUNT', String(req.count)]);
  conn.write(scan('0'));
  let { cursor, keys } = scanReply((await conn.next(1))[0]);
  let batches = 0;
  for (;;) {
    const more = cursor !== '0' && !req.signal.aborted;
    const expected = keys.length + (more ? 1 : 0);
    if (expected === 0) break;
    // Paced: the pause falls between one batch and the next batch's PTTLs (+ the SCAN after it).
    if (batches > 0 && req.pause) await req.pause();
    conn.write(pttlBatch(keys, more ? scan(cursor) : undefined));
    const replies = await conn.next(expected);
    keys.forEach((key, i) => {
      const ttl = replies[i];
      if (ttl instanceof RespReplyError) throw ttl;
      if (typeof ttl !== 'number') throw new Error('unexpected PTTL reply');
      req.onKey(key, ttl);
    });
    batches++;
    req.onBatch?.(keys.length);
    if (!more) break;
    ({ cursor, keys } = scanReply(replies[keys.length]));
  }
  return batches;
}
