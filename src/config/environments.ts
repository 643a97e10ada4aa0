import { z } from 'zod';
import { auditOverridesSchema } from './diagnosis-defaults.js';
import { gitopsSchema } from './gitops.js';
import { monitorSchema } from './monitor.js';
import { redisProviderSchema } from './redis-provider.js';
import { redisTlsSchema } from './redis-tls.js';
import { envVarName, hostPort } from './redis-fields.js';
import { redisSentinelSchema, sentinelStoreUrl } from './redis-sentinel.js';

const PROFILE_NAMES = ['development', 'staging', 'production', 'production-api'] as const;
export type Profile = (typeof PROFILE_NAMES)[number];

/** Runbook "Configuration Reference": recommended TTL and sliding window per profile. */
export const PROFILES = {
  development: { expectedTtlSeconds: 3600, slidingWindow: true },
  staging: { expectedTtlSeconds: 43200, slidingWindow: true },
  production: { expectedTtlSeconds: 86400, slidingWindow: true },
  'production-api': { expectedTtlSeconds: 604800, slidingWindow: false },
} as const satisfies Record<Profile, { expectedTtlSeconds: number; slidingWindow: boolean }>;

const profileSchema = z.enum(PROFILE_NAMES, {
  error: `expected one of ${Object.keys(PROFILES).join(' | ')}`,
});

const NO_PASSWORD =
  'name the environment variable that holds the password in redis.passwordEnv (and the user in redis.usernameEnv) instead';

/**
 * What is wrong with a Redis URL, or undefined. The config names env vars only, so a password in the
 * userinfo (`redis://user:pw@host`) or in the query (`?password=`, which ioredis reads as an option) is
 * refused, also where it would not parse (`redis://u:p/w@host`: the `/` ends the authority); and the URL
 * must parse the way ioredis parses it, so that it cannot pass here and fail at the first connection.
 */
export function redisUrlProblem(u: string): string | undefined {
  if (!/^rediss?:\/\/[^\s]+$/.test(u)) return 'expected a redis:// or rediss:// URL';
  const rest = u.slice(u.indexOf('//') + 2);
  const at = rest.lastIndexOf('@');
  const userinfo = at === -1 ? '' : rest.slice(0, at);
  if (userinfo.includes(':')) return `the URL must not contain a password: ${NO_PASSWORD}`;
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return 'not a valid URL: write redis://host:port[/db], with special characters in a user name percent-encoded';
  }
  const keys = [...url.searchParams.keys()].map((k) => k.toLowerCase());
  if (keys.some((k) => k === 'password' || k === 'pass' || k === 'pwd')) {
    return `the URL must not contain a password (?password=): ${NO_PASSWORD}`;
  }
  if (!url.hostname) return 'expected a host: redis://host:port';
  try {
    decodeURIComponent(url.username);
  } catch {
    return 'the user name in the URL is not valid percent-encoding; name it in redis.usernameEnv instead';
  }
  return undefined;
}

const redisSchema = z
  .object({
    url: z
      .string({ error: 'expected a redis:// or rediss:// URL' })
      .superRefine((u, ctx) => {
        const problem = redisUrlProblem(u);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    passwordEnv: envVarName.optional(),
    usernameEnv: envVarName.optional(),
    /** Credentials of the remediation actions (CONFIG SET), when they differ from the diagnosis' read-only ones. */
    adminUsernameEnv: envVarName.optional(),
    adminPasswordEnv: envVarName.optional(),
    keyPattern: z.string().min(1).default('session:*'),
    /** Connect timeout of the session store's connection, in ms. */
    connectTimeoutMs: z.number().int().positive().default(3000),
    /**
     * Redis Cluster (self-hosted, or a managed service in cluster mode): `url` is a seed node and the
     * bot discovers the others (ioredis' Cluster client); `nodes` adds seeds.
     */
    cluster: z.boolean().default(false),
    /** More seed nodes of the cluster, as `host:port`. */
    nodes: z.array(hostPort).min(1).optional(),
    /**
     * Where nodes announce addresses the bot cannot reach (NAT, port-forwards, one Service per pod):
     * announced `host:port` to the `host:port` the bot connects to.
     */
    natMap: z.record(hostPort, hostPort).optional(),
    /** Redis Sentinel: the sentinels name the master (instead of `url`); see `redisSentinelSchema`. */
    sentinel: redisSentinelSchema.optional(),
    /**
     * Replicas of a plain primary/replica pair (`url` is the primary), as redis:// URLs without a password
     * (`passwordEnv`/`usernameEnv` and `tls` apply to them too). The sampler and `--full` read a healthy one.
     */
    replicas: z
      .array(
        z.string({ error: 'expected a redis:// or rediss:// URL' }).superRefine((u, ctx) => {
          const problem = redisUrlProblem(u);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .min(1, 'expected at least one replica URL (or leave redis.replicas out)')
      .optional(),
    /**
     * Where the sampler and `--full` read keys: a healthy replica or the primary. With `redis.sentinel`,
     * `redis.replicas` or `redis.cluster`; default replica where one exists (on a Cluster, per master).
     */
    readFrom: z.enum(['replica', 'primary'], { error: 'expected replica | primary' }).optional(),
    /** This store's `--full` audit settings, over `defaults.audit` (unset fields keep the defaults). */
    audit: auditOverridesSchema.optional(),
    /** TLS with a private CA and/or a client certificate (mutual TLS); needs a rediss:// URL. */
    tls: redisTlsSchema.optional(),
    /** A managed service (elasticache | memorystore | azure) blocks CONFIG: the checks read INFO instead. */
    provider: redisProviderSchema,
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.tls && r.url?.startsWith('redis://'))
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'redis.tls is set: write the URL as rediss://host:port' });
    if (r.tls && r.replicas?.some((u) => u.startsWith('redis://')))
      ctx.addIssue({
        code: 'custom',
        path: ['replicas'],
        message: 'redis.tls is set: write each replica as rediss://',
      });
    sentinelRules(r, ctx);
    if (r.cluster) return;
    for (const key of ['nodes', 'natMap'] as const) {
      if (r[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} applies to Redis Cluster only: add cluster: true`,
        });
    }
  })
  // Code that wants a URL gets one that stands for the Sentinel-managed store (never connected to).
  .transform(({ url, ...r }) => ({ ...r, url: url ?? (r.sentinel ? sentinelStoreUrl(r.sentinel) : '') }));

/** `url` xor `sentinel`; Sentinel manages a primary and its replicas, not a Cluster. */
function sentinelRules(
  r: {
    url?: string | undefined;
    sentinel?: unknown;
    cluster: boolean;
    readFrom?: string | undefined;
    replicas?: readonly string[] | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (r.replicas && (r.sentinel || r.cluster))
    issue('replicas', 'redis.replicas is for a plain primary/replica pair: the sentinels or the cluster name replicas');
  if (!r.sentinel) {
    if (r.readFrom !== undefined && !r.replicas && !r.cluster)
      issue(
        'readFrom',
        'redis.readFrom applies to redis.sentinel, redis.cluster or redis.replicas (list the replicas to read)',
      );
    if (r.url === undefined)
      issue('url', 'expected a redis:// or rediss:// URL (or redis.sentinel: the sentinels to ask)');
    return;
  }
  if (r.url !== undefined)
    issue(
      'url',
      'redis.url and redis.sentinel exclude each other: the sentinels name the master (its db: sentinel.db)',
    );
  if (r.cluster)
    issue('cluster', 'redis.sentinel and redis.cluster exclude each other: Sentinel runs a primary with replicas');
}

const objectNames = {
  namespace: z.string().min(1).default('langgraph-agent'),
  appConfigMap: z.string().min(1).default('langgraph-agent-config'),
  appSelector: z.string().min(1).default('app=langgraph-agent'),
  redisConfigMap: z.string().min(1).default('redis-session-config'),
  redisSelector: z.string().min(1).default('app=redis-session'),
};

export const liveKubernetesSchema = z
  .object({
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    requestTimeoutMs: z.number().int().positive().default(5000),
    ...objectNames,
  })
  .strict();

export const manifestKubernetesSchema = z
  .object({
    manifests: z.string().min(1, 'expected a directory of YAML manifests'),
    ...objectNames,
  })
  .strict();

/**
 * Where the app's session code lives, so that fix texts can name it (e.g. `src/app/auth/session.py`,
 * `create_session`). Without hints the advice stays generic.
 */
const codeHintsSchema = z
  .object({
    /** Path of the module that writes sessions, relative to the repository root. */
    sessionModule: z.string().min(1).optional(),
    /** The function that creates a session (and sets its TTL). */
    createFunction: z.string().min(1).optional(),
    /** The function that refreshes a session's TTL on access (sliding window). */
    refreshFunction: z.string().min(1).optional(),
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
    codeHints: codeHintsSchema.optional(),
  })
  .strict();

const verifySchema = z
  .object({
    /** Seconds between the two TTL readings of the canary (runbook: 60). */
    waitSeconds: z.number().positive().max(3600).default(60),
  })
  .strict();

export const environmentSchema = z
  .object({
    profile: profileSchema,
    expectedTtlSeconds: z.number().int().positive().optional(),
    slidingWindow: z.boolean().optional(),
    redis: redisSchema,
    kubernetes: z.union([manifestKubernetesSchema, liveKubernetesSchema]).optional(),
    app: appSchema.optional(),
    verify: verifySchema.prefault({}),
    /** Checks to leave out for this environment. */
    disabledChecks: z.array(z.string()).default([]),
    monitor: monitorSchema.prefault({}),
    /** The durable half of a fix as a pull/merge request to the GitOps repository (see gitops.ts). */
    gitops: gitopsSchema.optional(),
  })
  .strict();

export type RawEnvironment = z.infer<typeof environmentSchema>;
export type LiveKubernetesConfig = z.infer<typeof liveKubernetesSchema>;
export type ManifestKubernetesConfig = z.infer<typeof manifestKubernetesSchema>;
export type KubernetesConfig = LiveKubernetesConfig | ManifestKubernetesConfig;

export function isManifestSource(k: KubernetesConfig): k is ManifestKubernetesConfig {
  return 'manifests' in k;
}
