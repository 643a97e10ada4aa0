import { z } from 'zod';
import { errorCause, errorCode } from '../../core/error-fields.js';

/** Node's network error codes that mean the API server could not be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

/** The network code of a failed request, looking through the causes fetch wraps it in. */
export function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = errorCode(e);
    if (code !== undefined && NETWORK_CODES.has(code)) return code;
    e = errorCause(e);
  }
  return undefined;
}

/** A Kubernetes `Status` object, as far as its message goes. */
const statusBody = z.object({ message: z.string().min(1) });

/** The API's own message from a Status body (a JSON string or an object), when there is one. */
export function statusMessage(body: unknown): string | undefined {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      return body.trim() ? body.trim().slice(0, 300) : undefined;
    }
  }
  const parsed = statusBody.safeParse(b);
  return parsed.success ? parsed.data.message : undefined;
}
