import { z } from 'zod';
import type { LogLevel } from '../core/logging.js';
import { stateRedisTls, type StateRedisTls } from './state-redis-tls.js';
import { parseTeamsSettings, type TeamsSettings } from './teams-settings.js';

/**
 * How the bot reaches Slack. Socket Mode when an app-level token is set (no public URL needed);
 * otherwise Slack calls `POST /slack/events` on `port`, verified with the signing secret.
 */
export type BotSettings =
  | (CommonSettings & { mode: 'socket'; appToken: string; signingSecret?: string })
  | (CommonSettings & { mode: 'http'; signingSecret: string });

interface CommonSettings {
  botToken: string;
  /** Web API base URL ending in `/`; undefined means https://slack.com/api/. */
  slackApiUrl?: string;
  /** HTTP port: Slack events in HTTP mode, and `/healthz` in both modes. */
  port: number;
  logLevel: LogLevel;
  /** Bearer token Alertmanager sends to `POST /alertmanager`; unset, that route answers 503. */
  alertmanagerToken?: string;
  /** Redis for the bot's own state (alert dedupe, cooldowns), shared by replicas; unset, state is in memory. */
  stateRedisUrl?: string;
  /** STATE_REDIS_TLS_CA_FILE / _CERT_FILE / _KEY_FILE / _SERVERNAME, the files read at start-up. */
  stateRedisTls?: StateRedisTls;
  /**
   * How many replicas the Deployment runs (EXPECTED_REPLICAS; unset means 1). More than one requires
   * `stateRedisUrl`: replicas that do not share their state answer an alert twice and lose each other's work.
   */
  expectedReplicas?: number;
  /** The Teams front end (TEAMS_APP_ID and the rest); unset, the bot runs without Teams. */
  teams?: TeamsSettings;
}

export type SettingsResult = { ok: true; settings: BotSettings } | { ok: false; problems: string[] };

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Messages name the variable and what is expected, never the value: these are secrets.
const envSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) from OAuth & Permissions' })
    .trim()
    .min(1, 'SLACK_BOT_TOKEN is empty: set it to the bot token (xoxb-...) from OAuth & Permissions')
    .refine((v) => v.startsWith('xoxb-'), 'SLACK_BOT_TOKEN does not look like a bot token: it should start with xoxb-'),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine(
      (v) => v === undefined || v.startsWith('xapp-'),
      'SLACK_APP_TOKEN does not look like an app-level token: it should start with xapp- (or unset it for HTTP mode)',
    ),
  SLACK_SIGNING_SECRET: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine(
      (v) => v === undefined || /^[A-Za-z0-9]{16,}$/.test(v),
      'SLACK_SIGNING_SECRET does not look like a signing secret: ' +
        'expected the hex string from Basic Information > App Credentials',
    ),
  SLACK_API_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine(
      (v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v),
      'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/',
    )
    .transform((v) => (v === undefined || v.endsWith('/') ? v : `${v}/`)),
  PORT: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : '3000'))
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535,
      'PORT must be a port number between 1 and 65535',
    )
    .transform(Number),
  ALERTMANAGER_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine(
      (v) => v === undefined || /^[\x21-\x7e]{16,}$/.test(v),
      'ALERTMANAGER_TOKEN is too weak: use at least 16 printable characters without spaces ' +
        '(e.g. openssl rand -hex 32), or unset it to disable POST /alertmanager',
    ),
  STATE_REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine(
      (v) => v === undefined || /^rediss?:\/\/[^\s]+$/.test(v),
      "STATE_REDIS_URL must be a redis:// or rediss:// URL (the Redis for the bot's own state), or unset",
    ),
  EXPECTED_REPLICAS: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : '1'))
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1000,
      "EXPECTED_REPLICAS must be the Deployment's number of replicas, a whole number from 1 (e.g. 3), or unset for 1",
    )
    .transform(Number),
  LOG_LEVEL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v.toLowerCase() : 'info'))
    .refine((v): v is LogLevel => LEVELS.some((level) => level === v), `LOG_LEVEL must be one of ${LEVELS.join(', ')}`),
});

/**
 * The refusal to run several replicas without shared state, decided from the raw environment so that it is
 * listed with every other problem at once. An invalid EXPECTED_REPLICAS is reported by the schema instead.
 */
function replicasWithoutSharedState(env: NodeJS.ProcessEnv): string | undefined {
  const replicas = envSchema.shape.EXPECTED_REPLICAS.safeParse(env.EXPECTED_REPLICAS);
  if (!replicas.success || replicas.data <= 1 || env.STATE_REDIS_URL?.trim()) return undefined;
  return (
    `EXPECTED_REPLICAS is ${replicas.data} but STATE_REDIS_URL is not set: replicas must share their state ` +
    '(alert dedupe, the outbox, pending requests, locks, leases). Set STATE_REDIS_URL to the state Redis ' +
    '(the url in the session-ttl-bot-state Secret), or set EXPECTED_REPLICAS=1 and run a single replica'
  );
}

/**
 * What the bot logs (once, at start-up) when its state lives in memory: a single replica, whose crash or
 * restart loses what it had accepted. Undefined when the state is in a shared Redis.
 */
export function inMemoryStateWarning(settings: BotSettings): string | undefined {
  if (settings.stateRedisUrl) return undefined;
  return (
    'STATE_REDIS_URL is not set: alert dedupe, cooldowns, the outbox, pending remediation requests, environment ' +
    'locks and the audit are kept in memory. A crash or restart loses accepted work (an alert already answered, ' +
    'a post waiting for Slack, a pending request), and replicas do not share state: run one replica, or set ' +
    'STATE_REDIS_URL (required when EXPECTED_REPLICAS is more than 1)'
  );
}

/**
 * Reads the bot's settings from the process environment. Every problem is returned at once, each naming
 * its variable, so one restart fixes them all.
 *
 * @example
 * const r = parseBotSettings(process.env);
 * if (!r.ok) { console.error(r.problems.join('\n')); process.exit(2); }
 */
export function parseBotSettings(env: NodeJS.ProcessEnv): SettingsResult {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  const appToken = parsed.success ? parsed.data.SLACK_APP_TOKEN : env.SLACK_APP_TOKEN?.trim();
  const signingSecret = parsed.success ? parsed.data.SLACK_SIGNING_SECRET : env.SLACK_SIGNING_SECRET?.trim();
  if (!appToken && !signingSecret) {
    problems.push(
      'SLACK_SIGNING_SECRET is not set: HTTP mode (no SLACK_APP_TOKEN) needs the signing secret from ' +
        'Basic Information > App Credentials; or set SLACK_APP_TOKEN (xapp-...) for Socket Mode',
    );
  }
  const replicasProblem = replicasWithoutSharedState(env);
  if (replicasProblem) problems.push(replicasProblem);
  const stateTls = stateRedisTls(env);
  problems.push(...stateTls.problems);
  const teams = parseTeamsSettings(env);
  problems.push(...teams.problems);
  if (!parsed.success || problems.length) return { ok: false, problems };
  const d = parsed.data;
  const common: CommonSettings = {
    botToken: d.SLACK_BOT_TOKEN,
    slackApiUrl: d.SLACK_API_URL,
    port: d.PORT,
    logLevel: d.LOG_LEVEL,
    expectedReplicas: d.EXPECTED_REPLICAS,
    ...(d.ALERTMANAGER_TOKEN ? { alertmanagerToken: d.ALERTMANAGER_TOKEN } : {}),
    ...(d.STATE_REDIS_URL ? { stateRedisUrl: d.STATE_REDIS_URL } : {}),
    ...(stateTls.tls ? { stateRedisTls: stateTls.tls } : {}),
    ...(teams.teams ? { teams: teams.teams } : {}),
  };
  if (d.SLACK_APP_TOKEN) {
    const settings: BotSettings = {
      ...common,
      mode: 'socket',
      appToken: d.SLACK_APP_TOKEN,
      signingSecret: d.SLACK_SIGNING_SECRET,
    };
    return { ok: true, settings };
  }
  // Without an app token the signing secret is set: its absence is one of the problems returned above.
  if (!d.SLACK_SIGNING_SECRET) return { ok: false, problems };
  return { ok: true, settings: { ...common, mode: 'http', signingSecret: d.SLACK_SIGNING_SECRET } };
}
