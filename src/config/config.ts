import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { alertRoutingSchema } from '../alerts/environment-mapping.js';
import { ConfigError } from '../core/errors.js';

/** Runbook "Configuration Reference": recommended TTL and sliding window per profile. */
export const PROFILES = {
  development: { expectedTtlSeconds: 3600, slidingWindow: true },
  staging: { expectedTtlSeconds: 43200, slidingWindow: true },
  production: { expectedTtlSeconds: 86400, slidingWindow: true },
  'production-api': { expectedTtlSeconds: 604800, slidingWindow: false },
} as const;
export type Profile = keyof typeof PROFILES;

const profileSchema = z.enum(Object.keys(PROFILES) as [Profile, ...Profile[]], {
  error: `expected one of ${Object.keys(PROFILES).join(' | ')}`,
});

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (not its value)');

const redisSchema = z
  .object({
    url: z
      .string({ error: 'expected a redis:// or rediss:// URL' })
      .refine((u) => /^rediss?:\/\/[^\s]+$/.test(u), 'expected a redis:// or rediss:// URL')
      .refine((u) => !/^rediss?:\/\/[^/@]*:[^/@]+@/.test(u), {
        message: 'the URL must not contain a password; name an environment variable in passwordEnv instead',
      }),
    passwordEnv: envVarName.optional(),
    usernameEnv: envVarName.optional(),
    keyPattern: z.string().min(1).default('session:*'),
    /** Redis Cluster: list the seed nodes' URLs here instead of `url` (later issue). */
    connectTimeoutMs: z.number().int().positive().default(3000),
  })
  .strict();

const objectNames = {
  namespace: z.string().min(1).default('langgraph-agent'),
  appConfigMap: z.string().min(1).default('langgraph-agent-config'),
  appSelector: z.string().min(1).default('app=langgraph-agent'),
  redisConfigMap: z.string().min(1).default('redis-session-config'),
  redisSelector: z.string().min(1).default('app=redis-session'),
};

const liveKubernetesSchema = z
  .object({
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    requestTimeoutMs: z.number().int().positive().default(5000),
    ...objectNames,
  })
  .strict();

const manifestKubernetesSchema = z
  .object({
    manifests: z.string().min(1, 'expected a directory of YAML manifests'),
    ...objectNames,
  })
  .strict();

/** The session service's own API (runbook Diagnosis 6 and Verification). */
const appSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
    /** Name of the env var holding a bearer token for the app API (never the token). */
    tokenEnv: envVarName.optional(),
    sessionsPath: z.string().startsWith('/').default('/api/sessions'),
    timeoutMs: z.number().int().positive().default(5000),
  })
  .strict();

const verifySchema = z
  .object({
    /** Seconds between the two TTL readings of the canary (runbook: 60). */
    waitSeconds: z.number().positive().max(3600).default(60),
  })
  .strict();

const environmentSchema = z
  .object({
    profile: profileSchema,
    expectedTtlSeconds: z.number().int().positive().optional(),
    slidingWindow: z.boolean().optional(),
    redis: redisSchema,
    kubernetes: z.union([manifestKubernetesSchema, liveKubernetesSchema]).optional(),
    app: appSchema.optional(),
    verify: verifySchema.default({ waitSeconds: 60 }),
    /** Checks to leave out for this environment. */
    disabledChecks: z.array(z.string()).default([]),
  })
  .strict();

const fileSchema = z
  .object({
    environments: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'environment names: lowercase letters, digits, - and _'),
        environmentSchema,
      )
      .refine((e) => Object.keys(e).length > 0, 'expected at least one environment'),
    defaults: z
      .object({
        sampleSize: z.number().int().positive().max(1_000_000).default(1000),
        checkTimeoutMs: z.number().int().positive().default(20_000),
        /** Timeout of a check during a --full audit, which reads every key (default 30 min). */
        fullAuditTimeoutMs: z.number().int().positive().default(1_800_000),
        rateWindowMs: z.number().int().nonnegative().default(1000),
        /** Clock offsets above this are reported as clock.skew (runbook Scenario 5). */
        clockSkewThresholdMs: z.number().int().positive().default(2000),
        /** Lines of app pod logs searched for session deletions (runbook Scenario 4). */
        logTailLines: z.number().int().positive().max(100_000).default(200),
      })
      .strict()
      .default({ sampleSize: 1000, checkTimeoutMs: 20_000, fullAuditTimeoutMs: 1_800_000, rateWindowMs: 1000, clockSkewThresholdMs: 2000, logTailLines: 200 }),
    slack: z
      .object({
        /** Channel ids where the bot reads alert posts and answers in their thread. */
        incidentChannels: z.array(z.string().regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel id such as C0123ABCD')).default([]),
        /** Slack user group id mentioned on severe escalations, e.g. S0123ABCD. */
        onCallUserGroup: z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id such as S0123ABCD').optional(),
        /** Channel where Alertmanager webhook notifications are posted. */
        alertChannel: z.string().regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel id such as C0123ABCD').optional(),
        /** Minutes during which a re-fired alert links to the earlier diagnosis instead of running again. */
        alertCooldownMinutes: z.number().positive().default(15),
        alertRouting: alertRoutingSchema.default({ labelKeys: ['env', 'environment', 'namespace', 'cluster'], aliases: {} }),
      })
      .strict()
      .default({
        incidentChannels: [],
        alertCooldownMinutes: 15,
        alertRouting: { labelKeys: ['env', 'environment', 'namespace', 'cluster'], aliases: {} },
      }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const names = Object.keys(cfg.environments);
    for (const [value, target] of Object.entries(cfg.slack.alertRouting.aliases)) {
      if (!names.includes(target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['slack', 'alertRouting', 'aliases', value],
          message: `names environment "${target}", which is not defined; expected one of ${names.join(', ')}`,
        });
      }
    }
  });

type RawEnvironment = z.infer<typeof environmentSchema>;
export type LiveKubernetesConfig = z.infer<typeof liveKubernetesSchema>;
export type ManifestKubernetesConfig = z.infer<typeof manifestKubernetesSchema>;
export type KubernetesConfig = LiveKubernetesConfig | ManifestKubernetesConfig;

/** One environment with the profile's defaults filled in and paths resolved. */
export interface EnvironmentConfig extends Omit<RawEnvironment, 'expectedTtlSeconds' | 'slidingWindow'> {
  name: string;
  expectedTtlSeconds: number;
  slidingWindow: boolean;
}

export interface Config {
  source: string;
  environments: Record<string, EnvironmentConfig>;
  defaults: z.infer<typeof fileSchema>['defaults'];
  slack: z.infer<typeof fileSchema>['slack'];
}

export function isManifestSource(k: KubernetesConfig): k is ManifestKubernetesConfig {
  return 'manifests' in k;
}

/** Turns zod issues into "path: what was expected" lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`;
    return `${path}: ${issue.message}`;
  });
}

function expandPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** Validates an already-parsed config object. `baseDir` resolves relative paths. */
export function parseConfig(raw: unknown, source: string, baseDir = process.cwd()): Config {
  const parsed = fileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error), source);
  const environments: Record<string, EnvironmentConfig> = {};
  for (const [name, env] of Object.entries(parsed.data.environments)) {
    const profile = PROFILES[env.profile];
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
      kubernetes,
      expectedTtlSeconds: env.expectedTtlSeconds ?? profile.expectedTtlSeconds,
      slidingWindow: env.slidingWindow ?? profile.slidingWindow,
    };
  }
  return { source, environments, defaults: parsed.data.defaults, slack: parsed.data.slack };
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
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      [code === 'ENOENT' ? `file not found (pass --config or set SESSION_TTL_CONFIG)` : `cannot read: ${code}`],
      path,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0] : String(e);
    throw new ConfigError([`not valid YAML: ${msg}`], path);
  }
  return parseConfig(raw, path, dirname(path));
}
