import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { DEMO_ENV } from '../demo/demo-env.js';
import type { RemediationAction } from '../remediation/types.js';
import { checkOptions, CLI_OPTIONS, CliUsageError, commandOf } from './cli-options.js';
import type { ConfigHandle } from './demo-config.js';
import type { CliIo } from './io.js';

export interface CliOptions {
  /** The remediation actions (default `ALL_ACTIONS`); a test adds one by passing `[...ALL_ACTIONS, action]`. */
  actions?: readonly RemediationAction[];
  /** Sessions seeded into the built-in `demo` environment's store (default 50,000); tests seed fewer. */
  demoSessions?: number;
}

// The commands, the checks and their clients (ioredis, the Kubernetes client, zod) are imported by the
// command that needs them, so `help` and usage errors answer without loading them.
const loadActions = async (options: CliOptions) =>
  options.actions ?? (await import('../remediation/actions/index.js')).ALL_ACTIONS;
/** The config file, its `access` section checked against the actions (as the bot checks it at start-up). */
const loadConfig = async (flag: string | undefined, env: NodeJS.ProcessEnv, options: CliOptions) => {
  const [{ loadConfigFile, resolveConfigPath }, { createActionRegistry }, { checkAccessActions }, actions] =
    await Promise.all([
      import('../config/config.js'),
      import('../remediation/actions/index.js'),
      import('../app/action-registry.js'),
      loadActions(options),
    ]);
  const config = loadConfigFile(resolveConfigPath(flag, env));
  checkAccessActions(config, createActionRegistry(actions));
  return config;
};
/**
 * The config for a command on `envName`: the file's; for `demo` when the file does not define it (or
 * there is no file, as right after `npm run demo`), the built-in demo on a throwaway store.
 */
const configFor = async (
  envName: string,
  values: { config?: string | undefined },
  io: CliIo,
  options: CliOptions & { churn?: boolean },
): Promise<ConfigHandle> => {
  if (envName === DEMO_ENV) {
    const { resolveConfigPath } = await import('../config/config.js');
    const path = resolveConfigPath(values.config, io.env);
    const file = existsSync(path) ? await loadConfig(values.config, io.env, options) : undefined;
    if (!file || !Object.hasOwn(file.environments, DEMO_ENV)) {
      const { demoConfig } = await import('./demo-config.js');
      const why = file ? `${path} has no environment ${DEMO_ENV}` : `no config file (${path})`;
      return demoConfig({ io, why, churn: options.churn ?? false, sessions: options.demoSessions });
    }
    return { config: file, close: async () => undefined };
  }
  return { config: await loadConfig(values.config, io.env, options), close: async () => undefined };
};
const loadRegistry = async () => {
  const [{ allChecks }, { createCheckRegistry }] = await Promise.all([
    import('../diagnostics/all-checks.js'),
    import('../diagnostics/registry.js'),
  ]);
  return createCheckRegistry(allChecks);
};

export const USAGE = `Usage:
  session-ttl diagnose <env> [--config FILE] [--check ID ...] [--full [--fast] [--scan-count N] [--pause-ms N]] [--sample N] [--json]
  session-ttl verify <env> [--config FILE] [--wait SECONDS] [--json]
  session-ttl fix <env> <action> --dry-run [--config FILE] [--param KEY=VALUE ...] [--json]
  session-ttl envs [--config FILE]
  session-ttl monitor [--config FILE]     session monitor and /metrics on $PORT, no Slack needed
  session-ttl status [env] [--config FILE]
  session-ttl audit <env> [count] [--config FILE] [--json]     the remediation audit (reads STATE_REDIS_URL)
  session-ttl demo [--json]
  session-ttl help
  session-ttl --version

The config file is --config, else $SESSION_TTL_CONFIG, else ./session-ttl.yaml.
Exit codes: 0 no critical finding and every check ran, 1 a critical finding, 2 usage or configuration
error, 3 no critical finding but a check failed or timed out (the report is incomplete).
demo exits 0 although its store has critical findings: they are planted.
verify exits 0 pass, 1 fail, 2 usage or configuration error or when it could not run.
fix previews one of the remediation actions (set-eviction-policy, set-maxmemory, enable-sliding-window,
rollout-restart, tune-aof) exactly as Slack's preview shows it; it changes nothing.`;

const UsageError = CliUsageError;

/** The usage line of a command (`session-ttl fix <env> <action> --dry-run …`), or every line. */
function usageOf(command: string | undefined): string {
  const line = USAGE.split('\n').find((l) => command && l.startsWith(`  session-ttl ${command} `));
  return line
    ? `Usage: ${line.trim()}\n(session-ttl help lists every command and the exit codes)`
    : USAGE.split('\n\n')[0]!; // USAGE starts with its command lines
}

function parse(argv: string[]) {
  checkOptions(argv);
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: CLI_OPTIONS });
  } catch (err) {
    // checkOptions answered every mistake it knows; parseArgs' own words only for one it does not.
    throw new UsageError(`cannot read the options: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** This package's version, from its package.json (next to src/ and dist/). */
function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg && 'version' in pkg && typeof pkg.version === 'string'
    ? pkg.version
    : 'unknown';
}

function parseSample(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new UsageError(`--sample must be a whole number from 1 to 1000000, got "${text}"`);
  return n;
}

function parseWait(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0.1 || n > 3600)
    throw new UsageError(`--wait must be a number of seconds from 0.1 to 3600, got "${text}"`);
  return n;
}

type Values = ReturnType<typeof parse>['values'];

/** One terminal command: its words after the name, the flags, the terminal; resolves with the exit code. */
type CliCommand = (rest: string[], values: Values, io: CliIo, options: CliOptions) => Promise<number>;

const checkIdsOf = (values: Values) =>
  (values.check ?? [])
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter(Boolean);

async function demo(rest: string[], values: Values, io: CliIo, options: CliOptions): Promise<number> {
  if (rest.length) throw new UsageError(`demo takes no arguments, got "${rest.join(' ')}"`);
  const [{ demoCommand }, registry, actions, { createActionRegistry }] = await Promise.all([
    import('./demo-command.js'),
    loadRegistry(),
    loadActions(options),
    import('../remediation/actions/index.js'),
  ]);
  createActionRegistry(actions, registry.catalogue); // an action naming an unknown finding stops here
  return demoCommand({ registry, actions, io, json: values.json });
}

async function envs(_rest: string[], values: Values, io: CliIo, options: CliOptions): Promise<number> {
  const config = await loadConfig(values.config, io.env, options);
  for (const env of Object.values(config.environments)) {
    io.stdout.write(
      `${env.name.padEnd(12)} ${env.profile.padEnd(15)} ttl ${env.expectedTtlSeconds}s  sliding ${env.slidingWindow}\n`,
    );
  }
  return 0;
}

async function diagnose(rest: string[], values: Values, io: CliIo, options: CliOptions): Promise<number> {
  const [envName, ...extra] = rest;
  if (!envName) throw new UsageError('diagnose needs an environment name');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (name checks with --check)`);
  const sampleSize = parseSample(values.sample);
  const { config, close } = await configFor(envName, values, io, { ...options, churn: true });
  const [{ createSourceCache }, { runDiagnoseCli, exitCodeFor }, registry, actions] = await Promise.all([
    import('../app/sources.js'),
    import('./diagnose-cli.js'),
    loadRegistry(),
    loadActions(options),
  ]);
  const sources = createSourceCache(io.env);
  try {
    const report = await runDiagnoseCli(
      { config, registry, sourcesFor: sources.sourcesFor, io, actions },
      {
        envName,
        checkIds: checkIdsOf(values),
        full: values.full,
        fast: values.fast,
        ...(values['scan-count'] !== undefined ? { scanCount: values['scan-count'] } : {}),
        ...(values['pause-ms'] !== undefined ? { pauseMs: values['pause-ms'] } : {}),
        json: values.json,
        ...(sampleSize ? { sampleSize } : {}),
      },
    );
    return exitCodeFor(report);
  } finally {
    await sources.close();
    await close();
  }
}

async function verify(rest: string[], values: Values, io: CliIo, options: CliOptions): Promise<number> {
  const [envName, ...extra] = rest;
  if (!envName) throw new UsageError('verify needs an environment name');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const waitSeconds = parseWait(values.wait);
  const { config, close } = await configFor(envName, values, io, options);
  try {
    const { runVerifyCli, verifyExitCode } = await import('./verify-cli.js');
    const result = await runVerifyCli(
      { config, io },
      { envName, json: values.json, ...(waitSeconds !== undefined ? { waitSeconds } : {}) },
    );
    return verifyExitCode(result);
  } finally {
    await close();
  }
}

async function fix(rest: string[], values: Values, io: CliIo, options: CliOptions): Promise<number> {
  const [envName, action, ...extra] = rest;
  if (!envName || !action)
    throw new UsageError('fix needs an environment and an action, e.g. fix prod set-eviction-policy --dry-run');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (set parameters with --param KEY=VALUE)`);
  const { fixCommand, requireDryRun } = await import('./fix-command.js');
  // Refused before a demo store is started for nothing.
  requireDryRun(values['dry-run']);
  const { config, close } = await configFor(envName, values, io, options);
  try {
    const [{ actionContextOpener }, { startupActionRegistry }, registry, list] = await Promise.all([
      import('../app/action-context.js'),
      import('../app/action-registry.js'),
      loadRegistry(),
      loadActions(options),
    ]);
    const actions = startupActionRegistry({ actions: list, checks: registry.catalogue, config });
    return await fixCommand(
      {
        config,
        io,
        actions,
        openContext: actionContextOpener({ processEnv: io.env, now: Date.now, gitops: config.remediation.gitops }),
      },
      { envName, action, params: values.param ?? [], dryRun: values['dry-run'], json: values.json },
    );
  } finally {
    await close();
  }
}

async function audit(rest: string[], values: Values, io: CliIo, options: CliOptions): Promise<number> {
  const [envName, count, ...extra] = rest;
  if (!envName) throw new UsageError('audit needs an environment name');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const config = await loadConfig(values.config, io.env, options);
  const [{ runAuditCli, auditCount }, { createLogger }] = await Promise.all([
    import('./audit-cli.js'),
    import('../core/logging.js'),
  ]);
  // Logs on stderr: stdout is the audit (or its JSON).
  const logger = createLogger({ level: 'error', destination: io.stderr });
  return runAuditCli({ config, io, logger }, { envName, count: auditCount(count), json: values.json });
}

const monitorOrStatus =
  (command: 'monitor' | 'status'): CliCommand =>
  async (rest, values, io, options) => {
    const { runMonitorCli } = await import('./monitor-cli.js');
    return runMonitorCli(command, rest, await loadConfig(values.config, io.env, options), io);
  };

/** The terminal's commands by name (`help` is answered before any of them loads). */
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  demo,
  envs,
  diagnose,
  verify,
  fix,
  monitor: monitorOrStatus('monitor'),
  status: monitorOrStatus('status'),
  audit,
};

/**
 * The terminal entry: `diagnose`, `verify`, `fix`, `envs`, `monitor`, `status`, `demo`. Returns the exit
 * code; every error the user can act on is printed as a message, anything else with its stack on stderr.
 */
export async function runCli(argv: string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, ...rest] = positionals;
    if (values.version) {
      io.stdout.write(`session-ttl ${version()}\n`);
      return 0;
    }
    if (values.help || command === undefined || command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return command === undefined && !values.help ? 2 : 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(rest, values, io, options);
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.stderr.write(`session-ttl: ${err.message}\n${usageOf(err.command ?? commandOf(argv))}\n`);
      return 2;
    }
    if (err instanceof UserError) {
      io.stderr.write(`session-ttl: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(
      `session-ttl: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 2;
  }
}
