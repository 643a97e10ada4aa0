import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { activityViolations } from './adaptive-card-limits.js';

/** One activity the bot sent to the fake connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  /** The activity replied to. */
  activityId: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  /** What the card validator found wrong with it (Teams' limits); empty when Teams would take it. */
  violations: string[];
}

/**
 * A fake Bot Connector service on 127.0.0.1 (the activities' `serviceUrl` in tests): records every
 * `POST /v3/conversations/{id}/activities/{replyToId}` with its bearer token, and runs the Adaptive Card
 * validator over each.
 */
export interface FakeBotConnector {
  /** `http://127.0.0.1:<port>/teams/`, shaped like Teams' own serviceUrl. */
  serviceUrl: string;
  calls: ConnectorCall[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

const REPLY = /^\/teams\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/;

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const server = createServer((req, res) => {
    const match = REPLY.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return void res.writeHead(404).end();
    void readBody(req).then((text) => {
      const body = JSON.parse(text) as Record<string, unknown>;
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        conversationId: decodeURIComponent(match[1]!),
        activityId: decodeURIComponent(match[2]!),
        authorization: req.headers.authorization,
        body,
        violations: activityViolations(body),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `reply-${calls.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/teams/`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
