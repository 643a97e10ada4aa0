// The checks `npm run teams:package` makes on the filled manifest before it zips it: the fields Teams requires,
// their lengths (app manifest 1.25), the bot and its command list against the bot's registry, the RSC permission,
// and the icons' sizes read from their PNG headers. Every problem is returned at once, each naming its field.
import { z } from 'zod';
import { COMMAND_LIMITS, type ManifestCommand } from './command-list.js';
import { pngInfo } from './png.js';

/** The manifest version the template is written for, and its schema. */
export const MANIFEST_VERSION = '1.25';
export const MANIFEST_SCHEMA = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const text = (max: number) => z.string().min(1).max(max);
const https = z
  .string()
  .max(2048)
  .regex(/^https:\/\/[^\s]+$/, 'must be an https:// URL');
const scopes = z
  .array(z.enum(['team', 'personal', 'groupChat']))
  .min(1)
  .max(3);

const manifestSchema = z.object({
  $schema: z.literal(MANIFEST_SCHEMA),
  manifestVersion: z.literal(MANIFEST_VERSION),
  version: z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'must be MAJOR.MINOR.PATCH, e.g. 1.0.0'),
  id: z.string().regex(GUID, 'must be the Microsoft App ID (a GUID)'),
  developer: z.object({ name: text(32), websiteUrl: https, privacyUrl: https, termsOfUseUrl: https }),
  name: z.object({ short: text(30), full: text(100) }),
  description: z.object({ short: text(80), full: text(4000) }),
  icons: z.object({ color: text(2048), outline: text(2048) }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #3949AB'),
  bots: z
    .array(
      z.object({
        botId: z.string(),
        scopes,
        commandLists: z
          .array(
            z.object({
              scopes,
              commands: z
                .array(z.object({ title: text(COMMAND_LIMITS.title), description: text(COMMAND_LIMITS.description) }))
                .min(1)
                .max(COMMAND_LIMITS.commands),
            }),
          )
          .min(1)
          .max(3),
      }),
    )
    .length(1),
  validDomains: z.array(z.string().regex(/^[a-z0-9*][a-z0-9.-]*$/i, 'must be a host name, without https://')).max(16),
  webApplicationInfo: z.object({ id: z.string(), resource: text(2048) }),
  authorization: z.object({
    permissions: z.object({
      resourceSpecific: z.array(z.object({ name: text(128), type: z.enum(['Application', 'Delegated']) })).max(16),
    }),
  }),
});

export type TeamsManifest = z.infer<typeof manifestSchema>;

/** What the package holds beside the manifest, and what the manifest must say. */
export interface ManifestExpectations {
  /** The package's files by name (the icons). */
  files: Readonly<Record<string, Uint8Array>>;
  /** The bot's commands, as the manifest must list them. */
  commands: readonly ManifestCommand[];
  /** The bot's public host, which `validDomains` must name. */
  host: string;
}

function iconProblems(m: TeamsManifest, files: ManifestExpectations['files']): string[] {
  const wanted = [
    ['icons.color', m.icons.color, 192],
    ['icons.outline', m.icons.outline, 32],
  ] as const;
  return wanted.flatMap(([field, name, size]) => {
    const file = files[name];
    if (!file) return [`${field}: the package has no file ${name}`];
    const info = pngInfo(file);
    if (!info) return [`${field}: ${name} is not a PNG file`];
    if (info.width !== size || info.height !== size)
      return [`${field}: ${name} is ${info.width}x${info.height}, Teams wants ${size}x${size}`];
    // The outline icon is white on transparent: it needs an alpha channel (grey+alpha or RGBA).
    return field === 'icons.outline' && info.colorType !== 4 && info.colorType !== 6
      ? [`${field}: ${name} has no alpha channel; the outline icon is white on a transparent background`]
      : [];
  });
}

function commandProblems(m: TeamsManifest, expected: readonly ManifestCommand[]): string[] {
  return (m.bots[0]?.commandLists ?? []).flatMap((list, i) => {
    if (JSON.stringify(list.commands) === JSON.stringify(expected)) return [];
    return [
      `bots[0].commandLists[${i}].commands differ from the bot's commands (src/commands/bot-commands.ts); ` +
        `put these in manifests/teams-app/manifest.json:\n${JSON.stringify(expected, null, 2)}`,
    ];
  });
}

/** Every problem of the filled manifest `raw` (unknown JSON), or [] when Teams can take it. */
export function checkManifest(raw: unknown, want: ManifestExpectations): string[] {
  const leftover = JSON.stringify(raw).match(/\{\{[A-Z_]+\}\}/g);
  if (leftover) return [`placeholders left unfilled: ${[...new Set(leftover)].join(', ')}`];
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`);
  const m = parsed.data;
  const problems = [...iconProblems(m, want.files), ...commandProblems(m, want.commands)];
  if (m.bots[0]?.botId !== m.id) problems.push('bots[0].botId: must be the app id (the bot is the app)');
  if (m.webApplicationInfo.id !== m.id)
    problems.push('webApplicationInfo.id: must be the app id (RSC is granted to it)');
  if (m.name.short === m.name.full) problems.push('name.full: must differ from name.short');
  if (m.description.short === m.description.full) problems.push('description.full: must differ from description.short');
  if (!m.validDomains.includes(want.host)) problems.push(`validDomains: must name the bot's host ${want.host}`);
  const rsc = m.authorization.permissions.resourceSpecific;
  if (!rsc.some((p) => p.name === 'ChannelMessage.Read.Group' && p.type === 'Application'))
    problems.push('authorization.permissions.resourceSpecific: needs ChannelMessage.Read.Group (Application)');
  return problems;
}
