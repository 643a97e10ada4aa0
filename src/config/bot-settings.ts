import { z } from 'zod';
import type { LogLevel } from '../core/logging.js';
import { parseSlackSettings, slackWanted, type SlackConnection } from './slack-settings.js';
import { stateRedisTls, type StateRedisTls } from './state-redis-tls.js';
import { parseTeamsSettings, type TeamsSettings } from './teams-settings.js';

export type { SlackConnection } from './slack-settings.js';

/**
 * The bot's settings: Slack (Socket Mode or HTTP, see SlackConnection) with Teams beside it when TEAMS_APP_ID
 * is set, or Teams alone (`mode: 'teams-only'`) when no Slack credential is set.
 */
export type BotSettings = SlackBotSettings | (CommonSettings & { mode: 'teams-only'; teams: TeamsSettings });

/** The settings of a bot that runs Slack: what the Slack front end is built from. */
export type SlackBotSettings = CommonSettings & SlackConnection;

interface CommonSettings {
  /** HTTP port: Slack events in HTTP mode, Teams' `/api/messages`, and `/healthz` in every mode. */
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

// Messages name the variable and what is expected, never the value: ALERTMANAGER_TOKEN is a secret.
const envSchema = z.object({
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

/** Said when neither Slack nor Teams is configured: the bot has nobody to answer. */
export const NO_CHAT_PLATFORM =
  'No chat platform is configured: set Slack (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET, or with SLACK_APP_TOKEN ' +
  'for Socket Mode), or Teams (TEAMS_APP_ID, TEAMS_APP_PASSWORD or TEAMS_APP_CERTIFICATE_FILE, and TEAMS_TENANT_ID), ' +
  'or both';

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
  const teamsWanted = Boolean(env.TEAMS_APP_ID?.trim());
  const neither = !slackWanted(env) && !teamsWanted;
  // Slack is checked when any of its credentials is set, or when no platform is: its problems then say what to set.
  const slack = teamsWanted && !slackWanted(env) ? undefined : parseSlackSettings(env);
  const problems = [...(neither ? [NO_CHAT_PLATFORM] : []), ...(slack?.problems ?? [])];
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => i.message));
  const replicasProblem = replicasWithoutSharedState(env);
  if (replicasProblem) problems.push(replicasProblem);
  const stateTls = stateRedisTls(env);
  problems.push(...stateTls.problems);
  const teams = parseTeamsSettings(env);
  problems.push(...teams.problems);
  if (!parsed.success || problems.length) return { ok: false, problems };
  const d = parsed.data;
  const common: CommonSettings = {
    port: d.PORT,
    logLevel: d.LOG_LEVEL,
    expectedReplicas: d.EXPECTED_REPLICAS,
    ...(d.ALERTMANAGER_TOKEN ? { alertmanagerToken: d.ALERTMANAGER_TOKEN } : {}),
    ...(d.STATE_REDIS_URL ? { stateRedisUrl: d.STATE_REDIS_URL } : {}),
    ...(stateTls.tls ? { stateRedisTls: stateTls.tls } : {}),
    ...(teams.teams ? { teams: teams.teams } : {}),
  };
  if (slack?.slack) return { ok: true, settings: { ...slack.slack, ...common } };
  // Slack is not wanted, so Teams is, and its settings parsed without a problem.
  if (!teams.teams) return { ok: false, problems: [NO_CHAT_PLATFORM] };
  return { ok: true, settings: { ...common, mode: 'teams-only', teams: teams.teams } };
}
