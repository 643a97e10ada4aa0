import { UserError } from '../core/errors.js';
import { errorCode } from '../core/error-fields.js';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { accessSchema, validateAccess, type AccessConfig } from './access.js';
import { alertsSchema, resolveAlerts, validateAlerts, type AlertsConfig } from './alerts.js';
import { chatSchema, type ChatConfig } from './chat.js';
import { teamsChatSchema } from './teams.js';
import { diagnosisDefaultsSchema } from './diagnosis-defaults.js';
import { environmentSchema, PROFILES, type RawEnvironment } from './environments.js';
import { resolveRedisTls, type RedisTlsConfig } from './redis-tls.js';
import { remediationSchema, type RemediationConfig } from './remediation.js';
import { ConfigError } from '../core/errors.js';

export {
  isManifestSource,
  PROFILES,
  type KubernetesConfig,
  type LiveKubernetesConfig,
  type ManifestKubernetesConfig,
  type Profile,
} from './environments.js';

/** An environment name: it goes into Slack commands, metric labels and state keys. */
const ENV_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

function envNameRule(name: string): string {
  const length = name.length > 32 ? ` (it has ${name.length} characters)` : '';
  return (
    `environment name "${name}" is not allowed${length}: use lowercase letters, digits, - and _, ` +
    'starting with a letter or digit, at most 32 characters'
  );
}

const fileSchema = z
  .object({
    environments: z
      .record(z.string().regex(ENV_NAME, { error: (issue) => envNameRule(String(issue.input)) }), environmentSchema)
      .refine((e) => Object.keys(e).length > 0, 'expected at least one environment'),
    defaults: diagnosisDefaultsSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    slack: chatSchema.prefault({}),
    teams: teamsChatSchema.prefault({}),
    access: accessSchema.optional(),
    remediation: remediationSchema.prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    validateAlerts(cfg, ctx);
    validateAccess(cfg, ctx);
  });

/** One environment with the profile's defaults filled in and paths resolved. */
export interface EnvironmentConfig extends Omit<RawEnvironment, 'expectedTtlSeconds' | 'slidingWindow' | 'redis'> {
  name: string;
  /** `redis.tls` with its files read (see redis-tls.ts). */
  redis: Omit<RawEnvironment['redis'], 'tls'> & { tls?: RedisTlsConfig };
  expectedTtlSeconds: number;
  slidingWindow: boolean;
}

export interface Config {
  source: string;
  environments: Record<string, EnvironmentConfig>;
  defaults: z.infer<typeof fileSchema>['defaults'];
  /** Alert cooldown and routing for every platform: `alerts.*`, else the old `slack.*` keys, else the defaults. */
  alerts: AlertsConfig;
  slack: ChatConfig;
  /** Teams' alert channel and incident channels (issue 22). */
  teams: z.infer<typeof fileSchema>['teams'];
  /** Absent: remediation requests and approvals are refused (deny by default). */
  access?: AccessConfig;
  remediation: RemediationConfig;
}

/** Fields people write that hold a secret; the config names the env var instead. */
const SECRET_FIELDS: Record<string, string> = {
  password: 'passwordEnv',
  username: 'usernameEnv',
  token: 'tokenEnv',
  adminPassword: 'adminPasswordEnv',
  adminUsername: 'adminUsernameEnv',
};

function unknownFields(keys: readonly string[]): string {
  const hints = keys.flatMap((k) =>
    SECRET_FIELDS[k]
      ? [
          `instead of ${k}, name the environment variable that holds it with ${SECRET_FIELDS[k]}` +
            (k === 'token' ? ' (under gitops, or the file that holds it with tokenFile)' : ''),
        ]
      : [],
  );
  return `unknown field(s) ${keys.join(', ')}${hints.length ? ` (secrets never go in this file: ${hints.join('; ')})` : ''}`;
}

/** Turns zod issues into "path: what was expected" lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') return `${path}: ${unknownFields(issue.keys)}`;
    // A record key that failed its own schema: zod's own message is only "Invalid key in record".
    if (issue.code === 'invalid_key') return `${path}: ${issue.issues.map((i) => i.message).join('; ')}`;
    if (issue.code === 'invalid_type' && issue.input === undefined)
      return `${path}: missing (expected ${issue.expected})`;
    return `${path}: ${issue.message}`;
  });
}

/**
 * A YAML syntax error as the parser's reason, where it is, and the line with a caret under the spot.
 *
 * @example
 * // not valid YAML at line 4, column 1: All mapping items must start at the same column
 * //   3 |     profile: production
 * //   4 |    redis: x
 * //     | ^
 */
function yamlIssue(err: YAMLParseError, text: string): string {
  const what = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
  const pos = err.linePos?.[0];
  if (!pos) return `not valid YAML: ${what}`;
  const lines = text.split(/\r?\n/);
  const width = String(pos.line).length;
  // A tab is drawn as one visible character, so the caret stays under the column the parser names.
  const show = (n: number) =>
    `${String(n).padStart(width)} | ${(lines[n - 1] ?? '').replace(/\t/g, '→').slice(0, 160)}`;
  const snippet = [
    ...(pos.line > 1 ? [show(pos.line - 1)] : []),
    show(pos.line),
    `${' '.repeat(width)} | ${' '.repeat(Math.max(0, pos.col - 1))}^`,
  ];
  return `not valid YAML at line ${pos.line}, column ${pos.col}: ${what}\n${snippet.map((l) => `      ${l}`).join('\n')}`;
}

function expandPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** Validates an already-parsed config object. `baseDir` resolves relative paths. */
export function parseConfig(raw: unknown, source: string, baseDir = process.cwd()): Config {
  const parsed = fileSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error), source);
  const environments: Record<string, EnvironmentConfig> = {};
  const fileProblems: string[] = [];
  for (const [name, env] of Object.entries(parsed.data.environments)) {
    const profile = PROFILES[env.profile];
    const { tls: rawTls, ...redis } = env.redis;
    const tls = rawTls && resolveRedisTls(rawTls, name, (p) => expandPath(p, baseDir));
    if (tls && 'problems' in tls) fileProblems.push(...tls.problems);
    const kubernetes = env.kubernetes && {
      ...env.kubernetes,
      ...('manifests' in env.kubernetes ? { manifests: expandPath(env.kubernetes.manifests, baseDir) } : {}),
      ...('kubeconfig' in env.kubernetes && env.kubernetes.kubeconfig
        ? { kubeconfig: expandPath(env.kubernetes.kubeconfig, baseDir) }
        : {}),
    };
    environments[name] = {
      ...env,
      name,
      redis: { ...redis, ...(tls && 'tls' in tls ? { tls: tls.tls } : {}) },
      kubernetes,
      expectedTtlSeconds: env.expectedTtlSeconds ?? profile.expectedTtlSeconds,
      slidingWindow: env.slidingWindow ?? profile.slidingWindow,
    };
  }
  if (fileProblems.length) throw new ConfigError(fileProblems, source);
  const { defaults, slack: written, teams, access, remediation } = parsed.data;
  const alerts = resolveAlerts(parsed.data);
  const { alertCooldownMinutes: _cooldown, alertRouting: _routing, ...slack } = written;
  return { source, environments, defaults, alerts, slack, teams, ...(access ? { access } : {}), remediation };
}

/** Where the config file is: `--config`, else SESSION_TTL_CONFIG, else ./session-ttl.yaml. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(flag ?? env.SESSION_TTL_CONFIG ?? 'session-ttl.yaml');
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = errorCode(e);
    throw new ConfigError(
      [code === 'ENOENT' ? `file not found (pass --config or set SESSION_TTL_CONFIG)` : `cannot read: ${code}`],
      path,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError([e instanceof YAMLParseError ? yamlIssue(e, text) : `not valid YAML: ${String(e)}`], path);
  }
  if (raw === null || raw === undefined) {
    throw new ConfigError(
      ['the file is empty: copy session-ttl.example.yaml to it and describe your environments'],
      path,
    );
  }
  return parseConfig(raw, path, dirname(path));
}

/**
 * The environment called `name`, or a UserError that lists the configured ones. The one place that says
 * "Unknown environment", for every command and front end.
 */
export function environmentOf(config: Pick<Config, 'environments'>, name: string): EnvironmentConfig {
  const env = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  if (env) return env;
  throw new UserError(
    `Unknown environment "${name}". Valid environments: ${Object.keys(config.environments).join(', ')}.`,
    'unknown_env',
  );
}
