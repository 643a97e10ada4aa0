import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../../core/feature.js';
import type { Logger } from '../../core/logging.js';
import { activitySchema, activityTenant, type Activity } from './activity.js';
import { BotTokenError, type BotTokenVerifier, type VerifiedActivity } from './bot-token.js';

/** Teams' activities are small; a card payload is under 28 KB. Anything far larger is refused unread. */
const MAX_BODY_BYTES = 256 * 1024;

export interface MessagesRouteDeps {
  verifier: BotTokenVerifier;
  /**
   * Called for every verified activity, after the 200 is written; the front end tracks its work. `raw` is
   * the body as sent, for the parts the activity schema does not read (cards, install events' details).
   */
  onActivity(activity: Activity, verified: VerifiedActivity, raw: unknown): void;
  /**
   * Answers a verified `invoke` activity (a card click): its HTTP answer carries the result, so the route
   * waits for it. Absent, invokes are answered 200 and handed to `onActivity` like the rest.
   */
  onInvoke?(activity: Activity, verified: VerifiedActivity): Promise<{ status: number; body?: unknown }>;
  logger: Logger;
  /** Told of every request as it arrives, so that work behind the answers waits until they are out. */
  intake?: { arrived(): void };
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) res.writeHead(status).end();
  else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function refuse(res: ServerResponse, logger: Logger, err: BotTokenError): void {
  logger.warn({ reason: err.reason, err }, 'refused a Teams request');
  // Our failure to read the keys is not the caller's fault: 503, the channel tries again.
  const status = err.reason === 'keys_unavailable' ? 503 : 401;
  answer(res, status, { error: status === 401 ? 'unauthorized' : 'unavailable', reason: err.reason });
}

function parseActivity(body: string): { ok: true; activity: Activity; raw: unknown } | { ok: false; issues: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, issues: ['the body is not JSON'] };
  }
  const parsed = activitySchema.safeParse(json);
  if (parsed.success) return { ok: true, activity: parsed.data, raw: json };
  return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(activity)'}: ${i.message}`) };
}

/**
 * `POST /api/messages`, the Teams bot endpoint. The bearer token is verified before anything else is read
 * (401 with the reason, nothing done); then the Activity is parsed (400 when malformed) and bound to the
 * token (its serviceUrl and tenant); a verified activity is answered 200 and handed to `onActivity`, or,
 * for an invoke, answered with what `onInvoke` says.
 */
export function messagesRoute(deps: MessagesRouteDeps): Route {
  const logger = deps.logger.child({ route: '/api/messages' });
  return {
    method: 'POST',
    path: '/api/messages',
    async handle(req, res) {
      deps.intake?.arrived();
      try {
        const token = await deps.verifier.verifyToken(req.headers.authorization);
        let body: string;
        try {
          body = await readBody(req);
        } catch (err) {
          if (!(err instanceof BodyTooLarge)) throw err;
          return answer(res, 413, { error: 'too_large' });
        }
        const parsed = parseActivity(body);
        if (!parsed.ok) {
          logger.warn({ issues: parsed.issues }, 'refused a malformed Teams activity');
          return answer(res, 400, { error: 'bad_activity', issues: parsed.issues });
        }
        const { activity } = parsed;
        const verified = deps.verifier.bindActivity(token, {
          serviceUrl: activity.serviceUrl,
          tenantId: activityTenant(activity),
        });
        if (activity.type === 'invoke' && deps.onInvoke) {
          const out = await deps.onInvoke(activity, verified);
          return answer(res, out.status, out.body);
        }
        answer(res, 200);
        deps.onActivity(activity, verified, parsed.raw);
      } catch (err) {
        if (!(err instanceof BotTokenError)) throw err;
        refuse(res, logger, err);
      }
    },
  };
}
