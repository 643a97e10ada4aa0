import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { accessSchema, validateAccess, type AccessConfig } from './access.js';
import { chatSchema } from './chat.js';
import { diagnosisDefaultsSchema } from './diagnosis-defaults.js';
import { environmentSchema, PROFILES, type RawEnvironment } from './environments.js';
import { remediationSchema, type RemediationConfig } from './remediation.js';
import { ConfigError } from '../core/errors.js';

export { isManifestSource, PROFILES, type KubernetesConfig, type LiveKubernetesConfig, type ManifestKubernetesConfig, type Profile } from './environments.js';

const fileSchema = z
  .object({
    environments: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'environment names: lowercase letters, digits, - and _'),
        environmentSchema,
      )
      .refine((e) => Object.keys(e).length > 0, 'expected at least one environment'),
    defaults: diagnosisDefaultsSchema.prefault({}),
    slack: chatSchema.prefault({}),
    access: accessSchema.optional(),
    remediation: remediationSchema.prefault({}),
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
    validateAccess(cfg, ctx);
  });

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
  /** Absent: remediation requests and approvals are refused (deny by default). */
  access?: AccessConfig;
  remediation: RemediationConfig;
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
  const { defaults, slack, access, remediation } = parsed.data;
  return { source, environments, defaults, slack, ...(access ? { access } : {}), remediation };
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
