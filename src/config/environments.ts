import { z } from 'zod';
import { monitorSchema } from './monitor.js';

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
    /** Credentials of the remediation actions (CONFIG SET), when they differ from the diagnosis' read-only ones. */
    adminUsernameEnv: envVarName.optional(),
    adminPasswordEnv: envVarName.optional(),
    keyPattern: z.string().min(1).default('session:*'),
    /** Connect timeout of the session store's connection, in ms. */
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
  })
  .strict();


export type RawEnvironment = z.infer<typeof environmentSchema>;
export type LiveKubernetesConfig = z.infer<typeof liveKubernetesSchema>;
export type ManifestKubernetesConfig = z.infer<typeof manifestKubernetesSchema>;
export type KubernetesConfig = LiveKubernetesConfig | ManifestKubernetesConfig;

export function isManifestSource(k: KubernetesConfig): k is ManifestKubernetesConfig {
  return 'manifests' in k;
}
