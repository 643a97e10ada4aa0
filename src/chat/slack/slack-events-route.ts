import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, isValidSlackRequest, type HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../../core/logging.js';
import type { Route } from '../../host/http-server.js';
import type { ReplayCheck } from './shared-replay-guard.js';

export interface SlackEventsRouteDeps {
  path?: string;
  receiver: Pick<HTTPReceiver, 'requestListener'>;
  signingSecret: string;
  /** Shared by the replicas when the bot has a shared state store. */
  guard: ReplayCheck;
  logger: Logger;
  now: () => number;
  /** Told of every request as it arrives, so that work behind the answers (diagnoses) waits until they are out. */
  intake?: { arrived(): void };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * `POST /slack/events` in front of Bolt's HTTPReceiver. Bolt verifies the signature and refuses
 * timestamps older than 5 minutes, but accepts the same signed request twice; this route refuses an
 * exact replay (same signature) inside the window with 401, on every replica sharing the state store.
 *
 * The body is buffered here with Bolt's own helper, which leaves it on `req.rawBody`; Bolt's receiver
 * reuses a buffered body instead of reading the (consumed) stream again.
 */
export function slackEventsRoute(deps: SlackEventsRouteDeps): Route {
  const path = deps.path ?? '/slack/events';
  return {
    method: 'POST',
    path,
    async handle(req: IncomingMessage, res: ServerResponse) {
      deps.intake?.arrived();
      let rawBody: Buffer;
      try {
        rawBody = (await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit)).rawBody;
      } catch (err) {
        const tooLarge = HTTPModuleFunctions.isRawBodyError(err) && err.statusCode === 413;
        deps.logger.warn({ path }, tooLarge ? 'Slack request body too large' : 'could not read a Slack request body');
        res.writeHead(tooLarge ? 413 : 400);
        res.end();
        return;
      }
      const signature = header(req, 'x-slack-signature');
      const timestamp = Number(header(req, 'x-slack-request-timestamp'));
      // Only verified requests are remembered: unsigned garbage cannot fill the cache or block a real request.
      if (
        signature &&
        Number.isFinite(timestamp) &&
        isValidSlackRequest({
          signingSecret: deps.signingSecret,
          body: rawBody.toString(),
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
          nowMilliseconds: deps.now(),
        })
      ) {
        const verdict = await deps.guard.check(signature, timestamp);
        if (verdict !== 'fresh') {
          deps.logger.warn(
            { path, timestamp, verdict, retryNum: header(req, 'x-slack-retry-num') },
            verdict === 'replay' ? 'refused a replayed Slack request' : 'refused a Slack request dated in the future',
          );
          res.writeHead(401);
          res.end();
          return;
        }
      }
      deps.receiver.requestListener(req, res);
    },
  };
}
