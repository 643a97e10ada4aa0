#!/usr/bin/env node
// The composition root of the bot process: settings -> config -> sources and state store -> the bot's
// features on one host (src/bot.ts) -> start, and a drain on SIGTERM. Nothing else wires.
import { gitopsTokenProblems } from './config/gitops.js';
import { inMemoryStateWarning, parseBotSettings, type BotSettings } from './config/bot-settings.js';
import { loadConfigFile, resolveConfigPath, type Config } from './config/config.js';
import { ConfigError, UserError } from './core/errors.js';
import { createLogger, scrubSecrets, type Logger } from './core/logging.js';
import { Registry } from 'prom-client';
import { monitorFeatureFor } from './app/monitor-feature.js';
import { checkMetrics, instrumentChecks } from './diagnostics/check-metrics.js';
import { statusCommand } from './commands/status.js';

/**
 * Bolt and the Kubernetes client take a while to load; they are imported only once the settings and the
 * config are valid, so a misconfigured deployment fails at once with its message.
 */
async function loadRuntime() {
  const [
    { allChecks },
    { createCheckRegistry },
    { createBot },
    { SlackStartError },
    { createSourceCache },
    { openStateStore },
  ] = await Promise.all([
    import('./diagnostics/all-checks.js'),
    import('./diagnostics/registry.js'),
    import('./bot.js'),
    import('./chat/slack/bolt-app.js'),
    import('./app/sources.js'),
    import('./adapters/state/open-state-store.js'),
  ]);
  return { allChecks, createCheckRegistry, createBot, SlackStartError, createSourceCache, openStateStore };
}

/** `--config <path>` or `--config=<path>` on the command line, if given. */
function configFlag(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return undefined;
  const arg = argv[i] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
}

/** A positive number of seconds from `env[name]`, in ms; unset or invalid, the default applies. */
function secondsFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const seconds = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * SLACK_CONNECTION_DOWN_LIMIT_SECONDS: how long the Socket Mode connection may be down before /healthz
 * fails (default 300). SHUTDOWN_GRACE_SECONDS: how long SIGTERM waits for work in flight (default 20);
 * it plus 5 s of last words is the whole shutdown, so keep that below terminationGracePeriodSeconds.
 */
function operationLimits(env: NodeJS.ProcessEnv): { connectionDownLimitMs?: number; graceMs?: number } {
  const down = secondsFrom(env, 'SLACK_CONNECTION_DOWN_LIMIT_SECONDS');
  const grace = secondsFrom(env, 'SHUTDOWN_GRACE_SECONDS');
  return {
    ...(down !== undefined ? { connectionDownLimitMs: down } : {}),
    ...(grace !== undefined ? { graceMs: grace } : {}),
  };
}

/** The settings and the config, or the exit code after saying what is wrong with them. */
function readSetup(): { settings: BotSettings; config: Config } | number {
  const result = parseBotSettings(process.env);
  if (!result.ok) {
    process.stderr.write(
      `session-ttl-bot cannot start; fix these settings:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return 2;
  }
  try {
    const config = loadConfigFile(resolveConfigPath(configFlag(process.argv.slice(2)), process.env));
    // An environment with gitops opens pull requests with the token its tokenEnv or tokenFile names: absent, say so now.
    const tokens = gitopsTokenProblems(config.environments, process.env);
    if (tokens.length) {
      process.stderr.write(`session-ttl-bot cannot start:\n${tokens.map((p) => `  - ${p}`).join('\n')}\n`);
      return 2;
    }
    return { settings: result.settings, config };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

type Runtime = Awaited<ReturnType<typeof loadRuntime>>;

/** The bot's features: Slack, the alert webhook, the monitor and `/metrics`, remediation, over shared state. */
function assembleBot(
  rt: Runtime,
  setup: { settings: BotSettings; config: Config },
  io: {
    logger: Logger;
    sources: ReturnType<Runtime['createSourceCache']>;
    state: ReturnType<Runtime['openStateStore']>;
  },
) {
  const { settings, config } = setup;
  const { logger, sources, state } = io;
  const metrics = new Registry(); // GET /metrics: the monitor, the checks, the remediation audit, the process
  const monitor = monitorFeatureFor({ config, registry: metrics, store: state.store, processEnv: process.env, logger });
  return rt.createBot({
    settings,
    config,
    registry: rt.createCheckRegistry(instrumentChecks(rt.allChecks, checkMetrics(metrics))),
    extraFeatures: [monitor.feature],
    extraCommands: [statusCommand({ config, status: (env) => monitor.status(env) })],
    sourcesFor: sources.sourcesFor,
    logger,
    alerts: {
      stateStore: state.store,
      ...(settings.alertmanagerToken ? { alertmanagerToken: settings.alertmanagerToken } : {}),
    },
    metrics,
    remediation: { store: state.store, streams: state.streams, metrics },
    onClose: [sources.close, state.close],
    readiness: { 'state-store': () => state.ping(1000) },
    ...operationLimits(process.env),
  });
}

/**
 * SIGTERM / SIGINT: stop intake, drain what runs, exit, within the host's budget (grace + last words, counted
 * from the signal). Installed before start, so a signal during start-up is handled.
 */
function drainOnSignals(bot: { stop(): Promise<{ drained: boolean }> }, logger: Logger): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work; draining what runs');
    bot.stop().then(
      ({ drained }) => {
        logger.info({ drained }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<number> {
  const setup = readSetup();
  if (typeof setup === 'number') return setup;
  const logger = createLogger({ level: setup.settings.logLevel });
  const { oldKeys } = setup.config.alerts;
  if (oldKeys.length)
    logger.warn(
      { oldKeys },
      'the config sets alert settings under their old slack.* names; they still work: rename them',
    );
  const rt = await loadRuntime();
  const sources = rt.createSourceCache(process.env);
  // STATE_REDIS_URL: alert dedupe and cooldowns shared by the replicas; unset (one replica: the settings refuse
  // more without it), kept in memory, with one warning of what a crash loses.
  const memoryWarning = inMemoryStateWarning(setup.settings);
  const state = rt.openStateStore({
    url: setup.settings.stateRedisUrl,
    ...(setup.settings.stateRedisTls ? { tls: setup.settings.stateRedisTls } : {}),
    logger,
    ...(memoryWarning ? { memoryWarning } : {}),
  });
  const closeAll = () => Promise.allSettled([sources.close(), state.close()]);
  let bot;
  try {
    bot = assembleBot(rt, setup, { logger, sources, state });
  } catch (err) {
    // e.g. alerts.routing.aliases naming an environment that does not exist.
    await closeAll();
    if (!(err instanceof UserError)) throw err;
    process.stderr.write(`session-ttl-bot cannot start: ${err.message}\n`);
    return 2;
  }
  drainOnSignals(bot, logger);
  try {
    await bot.start();
  } catch (err) {
    await closeAll();
    if (!(err instanceof rt.SlackStartError)) throw err;
    logger.error(err.message);
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `session-ttl-bot crashed: ${scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
    );
    process.exitCode = 1;
  },
);
