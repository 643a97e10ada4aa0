import type { Redis } from 'ioredis';
import { errorCode } from '../../core/error-fields.js';
import { tlsFailure } from './tls-errors.js';

/**
 * Remembers the last socket error of a client until it is ready again. ioredis reports a refused
 * connection only through its `error` event and then rejects the waiting commands with errors of
 * its own ("Reached the max retries per request limit") that carry no errno; this keeps the errno
 * for `classifyRedisError`. A TLS failure is kept over the resets that follow it until a connection is
 * ready (over TLS ioredis' ready check has then had an answer). The listener also stops ioredis printing "Unhandled error event".
 *
 * @example
 * const lastError = trackConnectionErrors(client);
 * try { await client.info() } catch (err) { throw classifyRedisError(err, { address, lastConnectionError: lastError() }) }
 */
export function trackConnectionErrors(client: Redis): () => Error | undefined {
  let last: Error | undefined;
  client.on('error', (err: Error) => {
    // Reply errors (WRONGPASS on connect) reach the command itself; only socket errors are kept.
    if (errorCode(err) === undefined) return;
    // A server that refused the handshake may just reset the next attempt: the certificate problem is the news.
    if (last && tlsFailure(last) && !tlsFailure(err)) return;
    last = err;
  });
  client.on('ready', () => {
    last = undefined;
  });
  return () => last;
}
