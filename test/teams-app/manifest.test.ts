import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { botCommandList, COMMAND_LIMITS, teamsCommandList } from '../../scripts/teams-app/command-list.js';
import { ACCENT_COLOR, teamsIcons } from '../../scripts/teams-app/icons.js';
import { checkManifest, MANIFEST_SCHEMA } from '../../scripts/teams-app/manifest-check.js';
import { fillPlaceholders, placeholderValues } from '../../scripts/teams-app/package.js';
import { ROOT } from '../support/paths.js';
import { readRgbaPng } from './read-png.js';

const APP_DIR = join(ROOT, 'manifests/teams-app');
const template = () => JSON.parse(readFileSync(join(APP_DIR, 'manifest.json'), 'utf8'));
const files = {
  'color.png': readFileSync(join(APP_DIR, 'color.png')),
  'outline.png': readFileSync(join(APP_DIR, 'outline.png')),
};
const ENV = { TEAMS_APP_ID: '11111111-2222-4333-8444-555555555555', TEAMS_BOT_HOST: 'session-ttl.example.com' };

/** The template filled as the packager fills it for ENV. */
function filled(): any {
  const r = placeholderValues(ENV);
  if ('problems' in r) throw new Error(r.problems.join('\n'));
  return fillPlaceholders(template(), r.values);
}

const check = (manifest: unknown) =>
  checkManifest(manifest, { files, commands: teamsCommandList(botCommandList()), host: ENV.TEAMS_BOT_HOST });

describe('the Teams app manifest (issue 22, deployment)', () => {
  it("lists exactly the bot's commands, in the registry's order, within Teams' limits", () => {
    const registry = botCommandList();
    const listed = template().bots[0].commandLists[0].commands;
    // A command added to the registry (or removed) without the manifest fails here.
    expect(listed.map((c: { title: string }) => c.title)).toEqual(registry.map((c) => c.name));
    expect(listed).toEqual(teamsCommandList(registry));
    expect(registry.length).toBeLessThanOrEqual(COMMAND_LIMITS.commands);
    for (const c of listed) {
      expect(c.title.length).toBeLessThanOrEqual(COMMAND_LIMITS.title);
      expect(c.description.length).toBeLessThanOrEqual(COMMAND_LIMITS.description);
    }
  });

  it('is filled from the environment into a manifest the checks accept', () => {
    const m = filled();
    expect(check(m)).toEqual([]);
    expect(m.$schema).toBe(MANIFEST_SCHEMA);
    expect([m.id, m.bots[0].botId, m.webApplicationInfo.id]).toEqual(Array(3).fill(ENV.TEAMS_APP_ID));
    expect(m.bots[0].scopes).toEqual(['team', 'personal', 'groupChat']);
    expect(m.validDomains).toEqual([ENV.TEAMS_BOT_HOST]);
    expect(m.authorization.permissions.resourceSpecific).toEqual([
      { name: 'ChannelMessage.Read.Group', type: 'Application' },
    ]);
    expect(m.accentColor).toBe(ACCENT_COLOR);
    expect(JSON.stringify(m)).not.toContain('{{');
  });

  it('names the field of each problem: lengths, an unlisted command, the RSC permission, ids, icons', () => {
    const m = filled();
    m.name.short = 'x'.repeat(31);
    m.bots[0].commandLists[0].commands.pop();
    m.authorization.permissions.resourceSpecific = [];
    m.webApplicationInfo.id = '99999999-2222-4333-8444-555555555555';
    expect(check(m)).toEqual([expect.stringMatching(/^name\.short: /)]);
    m.name.short = 'session-ttl';
    const problems = check(m);
    expect(problems).toEqual([
      expect.stringMatching(/^bots\[0\]\.commandLists\[0\]\.commands differ from the bot's commands/),
      'webApplicationInfo.id: must be the app id (RSC is granted to it)',
      'authorization.permissions.resourceSpecific: needs ChannelMessage.Read.Group (Application)',
    ]);
    expect(problems[0]).toContain('"title": "status"');
    const swapped = checkManifest(filled(), {
      files: { 'color.png': files['outline.png'], 'outline.png': files['color.png'] },
      commands: teamsCommandList(botCommandList()),
      host: ENV.TEAMS_BOT_HOST,
    });
    expect(swapped).toEqual([
      'icons.color: color.png is 32x32, Teams wants 192x192',
      'icons.outline: outline.png is 192x192, Teams wants 32x32',
    ]);
    expect(check(template())[0]).toMatch(
      /^placeholders left unfilled: \{\{TEAMS_APP_VERSION\}\}, \{\{TEAMS_APP_ID\}\}/,
    );
  });

  it('ships the icons its script draws: 192 x 192 opaque colour, 32 x 32 white on transparent outline', () => {
    // The committed files are what `npm run teams:icons` writes (the drawing is deterministic).
    const drawn = teamsIcons();
    expect(files['color.png'].equals(drawn['color.png'])).toBe(true);
    expect(files['outline.png'].equals(drawn['outline.png'])).toBe(true);
    const color = readRgbaPng(files['color.png']);
    const outline = readRgbaPng(files['outline.png']);
    expect([color.width, color.height, outline.width, outline.height]).toEqual([192, 192, 32, 32]);
    const pixels = (img: { rgba: Buffer }) =>
      Array.from({ length: img.rgba.length / 4 }, (_, i) => img.rgba.subarray(i * 4, i * 4 + 4));
    expect(pixels(color).every((p) => p[3] === 255)).toBe(true);
    const visible = pixels(outline).filter((p) => p[3]! > 0);
    expect(visible.length).toBeGreaterThan(50);
    expect(visible.every((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
    expect(pixels(outline).filter((p) => p[3] === 0).length).toBeGreaterThan(500);
  });
});
