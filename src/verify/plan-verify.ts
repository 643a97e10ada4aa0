import { type Config, type EnvironmentConfig, environmentOf } from '../config/config.js';
import { UserError } from '../core/errors.js';
import type { CanaryRedis, OpenCanaryRedis } from '../core/ports/canary-redis.js';
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
  /** Opens the canary's Redis connection (the ioredis adapter, given by the composition root). */
  openRedis: OpenCanaryRedis;
  fetch?: typeof fetch;
}

/**
 * Validates a `verify <env>` request and prepares its ports. Every configuration problem is a UserError
 * thrown here, before anything is written: an unknown environment, an unset password or token env var.
 */
export function planVerify(o: PlanVerifyOptions): VerifyPlan {
  const env = environmentOf(o.config, o.envName);
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
  const redis = o.openRedis(env, o.processEnv);
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
