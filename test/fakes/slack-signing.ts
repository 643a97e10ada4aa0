import { ackViolations, recordViolations } from './block-kit-limits.js';
import { createHmac } from 'node:crypto';

/** Slack's v0 signature: HMAC-SHA256 over `v0:<timestamp>:<body>` with the signing secret. */
export function signSlackRequest(signingSecret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export interface SlashCommandFields {
  text: string;
  command?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  response_url?: string;
  trigger_id?: string;
}

let triggerCounter = 0;

/**
 * The form body Slack sends for a slash command. Each body gets a new trigger_id, as from Slack, so two
 * identical commands in the same second are two requests and not a replay.
 */
export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: 'C0CHAN',
    channel_name: 'sessions',
    user_id: 'U0USER',
    user_name: 'alice',
    command: '/session-ttl',
    api_app_id: 'A0APP',
    trigger_id: `${Date.now()}.${++triggerCounter}.${Math.random().toString(16).slice(2, 10)}`,
    response_url: 'http://127.0.0.1:9/response/unused',
    ...fields,
  }).toString();
}

/** A request as sent on the wire, so a test can send the very same bytes twice (replay). */
export interface SignedRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface SignOptions {
  signingSecret: string;
  /** Request time in seconds (default now); an old one makes the request stale. */
  timestampSec?: number;
  /** Sent instead of the computed signature (a forged request). */
  signature?: string;
  contentType?: string;
}

/** Builds a signed POST to `url` with the given body. */
export function buildSignedRequest(url: string, body: string, opts: SignOptions): SignedRequest {
  const ts = opts.timestampSec ?? Math.floor(Date.now() / 1000);
  return {
    url,
    body,
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? signSlackRequest(opts.signingSecret, ts, body),
    },
  };
}

export interface SentRequest {
  status: number;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: any;
  /** Time from sending to the full response, in ms. */
  latencyMs: number;
  /** When the response arrived (Date.now()). */
  receivedAt: number;
}

/** Sends a signed request with fetch. */
export async function sendSigned(req: SignedRequest): Promise<SentRequest> {
  const t0 = performance.now();
  const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  const latencyMs = performance.now() - t0;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  // Slack renders what the app answers on its request (an ack's message, a response_action's view) too.
  recordViolations('ack', ackViolations(json));
  return { status: res.status, text, json, latencyMs, receivedAt: Date.now() };
}

/** Signs and sends a `/session-ttl` slash command to the bot at `baseUrl` (e.g. `http://127.0.0.1:3000`). */
export function sendSlashCommand(baseUrl: string, fields: SlashCommandFields, opts: SignOptions): Promise<SentRequest> {
  return sendSigned(buildSignedRequest(`${baseUrl}/slack/events`, slashCommandBody(fields), opts));
}

/** Signs and sends an Events API envelope (JSON). */
export function sendEvent(baseUrl: string, envelope: Record<string, unknown>, opts: SignOptions): Promise<SentRequest> {
  return sendSigned(
    buildSignedRequest(`${baseUrl}/slack/events`, JSON.stringify(envelope), {
      ...opts,
      contentType: 'application/json',
    }),
  );
}

/** Signs and sends an interactivity payload (`block_actions`, `view_submission`) as Slack does: form-encoded `payload=<json>`. */
export function sendInteraction(
  baseUrl: string,
  payload: Record<string, unknown>,
  opts: SignOptions,
): Promise<SentRequest> {
  return sendSigned(interactionRequest(baseUrl, payload, opts));
}

/** The signed interactivity request itself, so a test can send the very same bytes twice (replay). */
export function interactionRequest(
  baseUrl: string,
  payload: Record<string, unknown>,
  opts: SignOptions,
): SignedRequest {
  return buildSignedRequest(
    `${baseUrl}/slack/events`,
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    opts,
  );
}
