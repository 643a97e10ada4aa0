#!/usr/bin/env node
// The composition root of the Slack bot: settings -> config -> sources -> check registry -> Bolt app -> start.
// Nothing else wires; every other module receives its dependencies.
import { parseBotSettings } from './config/bot-settings.js';
import { loadConfigFile, resolveConfigPath } from './config/config.js';
import { ConfigError, UserError } from './core/errors.js';
import { createLogger, scrubSecrets } from './core/logging.js';

/**
 * Bolt and the Kubernetes client take seconds to load; they are imported only once the settings and the
 * config are valid, so a misconfigured deployment fails at once with its message.
 */
async function loadRuntime() {
  const [{ allChecks }, { createCheckRegistry }, { createSlackApp, SlackStartError }, { createSourceCache }, { openStateStore }] =
    await Promise.all([
      import('./diagnostics/all-checks.js'),
      import('./diagnostics/registry.js'),
      import('./slack/slack-app.js'),
      import('./adapters/sources.js'),
      import('./adapters/state/open-state-store.js'),
    ]);
  return { allChecks, createCheckRegistry, createSlackApp, SlackStartError, createSourceCache, openStateStore };
}

async function main(): Promise<number> {
  const result = parseBotSettings(process.env);
  if (!result.ok) {
    process.stderr.write(
      `session-ttl-bot cannot start; fix these settings:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return 2;
  }
  const { settings } = result;
  const logger = createLogger({ level: settings.logLevel });

  let config;
  try {
    config = loadConfigFile(resolveConfigPath(undefined, process.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const { allChecks, createCheckRegistry, createSlackApp, SlackStartError, createSourceCache, openStateStore } = await loadRuntime();
  const sources = createSourceCache(process.env);
  // STATE_REDIS_URL: alert dedupe and cooldowns shared by the replicas; unset, kept in memory (with a warning).
  const state = openStateStore({ url: settings.stateRedisUrl, logger });
  let bot;
  try {
    bot = createSlackApp({
      settings,
      config,
      registry: createCheckRegistry(allChecks),
      sourcesFor: sources.sourcesFor,
      logger,
      alerts: {
        stateStore: state.store,
        ...(settings.alertmanagerToken ? { alertmanagerToken: settings.alertmanagerToken } : {}),
      },
    });
  } catch (err) {
    // e.g. slack.alertRouting.aliases naming an environment that does not exist.
    await Promise.allSettled([sources.close(), state.close()]);
    if (err instanceof UserError) {
      process.stderr.write(`session-ttl-bot cannot start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    Promise.allSettled([bot.stop().finally(() => state.close()), sources.close()]).then(() => process.exit(0));
  };
  // Installed before start so that a signal during start-up (or right after 'listening') is handled.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await bot.start();
  } catch (err) {
    await Promise.allSettled([sources.close(), state.close()]);
    if (err instanceof SlackStartError) {
      logger.error(err.message);
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }

  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`session-ttl-bot crashed: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    process.exitCode = 1;
  },
);
