import type { Config, EnvironmentConfig } from '../config/config.js';
import { UserError } from '../core/errors.js';
// The one adapter verify names: the default opener, so the CLI and Slack callers need not pass one.
import { openCanaryRedis } from '../adapters/redis/canary-redis.js';
import type { CanaryRedis, OpenCanaryRedis } from './canary-redis.js';
import { createSessionApi, type SessionApi } from './session-api.js';

/** What one verification runs against, validated; nothing has connected yet. */
export interface VerifyPlan {
  env: EnvironmentConfig;
  waitSeconds: number;
  redis: CanaryRedis;
  /** Present when the app API and its token are configured: the canary is a real session. */
  app?: SessionApi;
  /** Said in the result whatever the outcome. */
  notes: string[];
  /** Closes the Redis connection. */
  close(): Promise<void>;
}

export interface PlanVerifyOptions {
  config: Config;
  envName: string;
  /** Where the env vars named in the config (passwordEnv, tokenEnv) are read. */
  processEnv: NodeJS.ProcessEnv;
  /** Overrides `env.verify.waitSeconds` (CLI `--wait`). */
  waitSeconds?: number;
  /** Opens the canary's Redis connection; the ioredis adapter unless given. */
  openRedis?: OpenCanaryRedis;
  fetch?: typeof fetch;
}

/**
 * Validates a `verify <env>` request and prepares its ports. Every configuration problem is a UserError
 * thrown here, before anything is written: an unknown environment, an unset password or token env var.
 */
export function planVerify(o: PlanVerifyOptions): VerifyPlan {
  const env = Object.hasOwn(o.config.environments, o.envName) ? o.config.environments[o.envName] : undefined;
  if (!env) {
    throw new UserError(
      `Unknown environment "${o.envName}". Valid environments: ${Object.keys(o.config.environments).join(', ')}.`,
      'unknown_env',
    );
  }
  const notes: string[] = [];
  let token: string | undefined;
  const { app } = env;
  if (app?.tokenEnv) {
    token = o.processEnv[app.tokenEnv];
    if (!token) {
      throw new UserError(
        `The app API token env var ${app.tokenEnv} (app.tokenEnv of environment "${env.name}") is not set in the bot's environment.`,
        'app_config',
      );
    }
  } else if (app) {
    notes.push(
      `app.baseUrl is configured for ${env.name} but app.tokenEnv is not, so the bot wrote its own canary instead of creating a session through the app API.`,
    );
  }
  const redis = (o.openRedis ?? openCanaryRedis)(env, o.processEnv);
  const sessionApi =
    app && token !== undefined
      ? createSessionApi({
          baseUrl: app.baseUrl,
          sessionsPath: app.sessionsPath,
          token,
          ...(app.tokenEnv ? { tokenEnv: app.tokenEnv } : {}),
          timeoutMs: app.timeoutMs,
          ...(o.fetch ? { fetch: o.fetch } : {}),
        })
      : undefined;
  return {
    env,
    waitSeconds: o.waitSeconds ?? env.verify.waitSeconds,
    redis,
    ...(sessionApi ? { app: sessionApi } : {}),
    notes,
    close: () => redis.close(),
  };
}
