// `npm run teams:package [-- --out <file>]`: fills the Teams app manifest (manifests/teams-app/manifest.json) from
// the environment, checks it (manifest-check.ts) and writes the app package, dist/teams-app.zip by default:
// manifest.json and the two icons at the zip's root, ready to upload in Teams. See README "Setting up the Teams app".
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { botCommandList, teamsCommandList } from './command-list.js';
import { checkManifest } from './manifest-check.js';
import { zipFiles } from './zip.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_DIR = join(ROOT, 'manifests/teams-app');
const ICONS = ['color.png', 'outline.png'] as const;

const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
const httpsUrl = (name: string) =>
  optional.refine((v) => v === undefined || /^https:\/\/[^\s]+$/.test(v), `${name} must be an https:// URL, or unset`);

// Each message names its variable and what it must be.
const envSchema = z.object({
  TEAMS_APP_ID: z
    .string({ error: 'TEAMS_APP_ID is not set: the Microsoft App ID (a GUID) of the Azure Bot, the app id in Teams' })
    .trim()
    .regex(/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i, 'TEAMS_APP_ID must be the Microsoft App ID (a GUID)'),
  TEAMS_BOT_HOST: z
    .string({ error: "TEAMS_BOT_HOST is not set: the bot's public host name, e.g. session-ttl.example.com" })
    .trim()
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
      "TEAMS_BOT_HOST must be the bot's public host name, e.g. session-ttl.example.com (no https://, port or path)",
    ),
  TEAMS_APP_NAME: optional.refine(
    (v) => v === undefined || v.length <= 30,
    'TEAMS_APP_NAME must be 30 characters or less',
  ),
  TEAMS_APP_VERSION: optional.refine(
    (v) => v === undefined || /^\d+\.\d+\.\d+$/.test(v),
    'TEAMS_APP_VERSION must be MAJOR.MINOR.PATCH, e.g. 1.2.0 (raise it for every upload)',
  ),
  TEAMS_DEVELOPER_NAME: optional.refine(
    (v) => v === undefined || v.length <= 32,
    'TEAMS_DEVELOPER_NAME must be 32 characters or less',
  ),
  TEAMS_DEVELOPER_URL: httpsUrl('TEAMS_DEVELOPER_URL'),
  TEAMS_PRIVACY_URL: httpsUrl('TEAMS_PRIVACY_URL'),
  TEAMS_TERMS_URL: httpsUrl('TEAMS_TERMS_URL'),
});

/** The value of each `{{NAME}}` placeholder of the template, every default in one place; or the problems. */
export function placeholderValues(env: NodeJS.ProcessEnv): { values: Record<string, string> } | { problems: string[] } {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => i.message) };
  const d = parsed.data;
  const version = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
  const host = d.TEAMS_BOT_HOST.toLowerCase();
  const developerUrl = d.TEAMS_DEVELOPER_URL ?? `https://${host}/`;
  return {
    values: {
      TEAMS_APP_ID: d.TEAMS_APP_ID.toLowerCase(),
      TEAMS_BOT_HOST: host,
      TEAMS_APP_NAME: d.TEAMS_APP_NAME ?? 'session-ttl',
      TEAMS_APP_VERSION: d.TEAMS_APP_VERSION ?? version.version,
      TEAMS_DEVELOPER_NAME: d.TEAMS_DEVELOPER_NAME ?? 'session-ttl-bot',
      TEAMS_DEVELOPER_URL: developerUrl,
      TEAMS_PRIVACY_URL: d.TEAMS_PRIVACY_URL ?? developerUrl,
      TEAMS_TERMS_URL: d.TEAMS_TERMS_URL ?? developerUrl,
    },
  };
}

/** `node` (parsed JSON) with every `{{NAME}}` in its strings replaced by `values[NAME]` (unknown names stay). */
export function fillPlaceholders(node: unknown, values: Readonly<Record<string, string>>): unknown {
  if (typeof node === 'string') return node.replace(/\{\{([A-Z_]+)\}\}/g, (all, name: string) => values[name] ?? all);
  if (Array.isArray(node)) return node.map((n) => fillPlaceholders(n, values));
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fillPlaceholders(v, values)]));
  return node;
}

/** The app package (the zip's bytes and the filled manifest) for `env`, or every problem found. */
export function buildTeamsAppPackage(
  env: NodeJS.ProcessEnv,
): { zip: Buffer; manifest: unknown } | { problems: string[] } {
  const filled = placeholderValues(env);
  if ('problems' in filled) return filled;
  const template: unknown = JSON.parse(readFileSync(join(APP_DIR, 'manifest.json'), 'utf8'));
  const manifest = fillPlaceholders(template, filled.values);
  const files = Object.fromEntries(ICONS.map((name) => [name, readFileSync(join(APP_DIR, name))]));
  const commands = teamsCommandList(botCommandList());
  const problems = checkManifest(manifest, { files, commands, host: filled.values.TEAMS_BOT_HOST ?? '' });
  if (problems.length) return { problems };
  const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  return {
    manifest,
    zip: zipFiles([{ name: 'manifest.json', data: json }, ...ICONS.map((n) => ({ name: n, data: files[n]! }))]),
  };
}

function main(): number {
  const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'dist/teams-app.zip' } } });
  const out = resolve(args.out);
  const built = buildTeamsAppPackage(process.env);
  if ('problems' in built) {
    process.stderr.write(
      `teams:package: the Teams app was not packaged:\n${built.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return 2;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, built.zip);
  process.stdout.write(`wrote ${out} (${built.zip.length} bytes): manifest.json, ${ICONS.join(', ')}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main();
