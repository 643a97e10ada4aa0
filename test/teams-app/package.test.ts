import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pngInfo } from '../../scripts/teams-app/png.js';
import { ROOT } from '../support/paths.js';
import { readZip } from './read-zip.js';

const APP_ID = 'A1B2C3D4-2222-4333-8444-555555555555';

/** `npm run teams:package -- --out <file>` as a process, with exactly `env` (plus PATH and HOME). */
function packageApp(env: Record<string, string>) {
  const out = join(mkdtempSync(join(tmpdir(), 'teams-app-')), 'teams-app.zip');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/teams-app/package.ts', '--out', out], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ...r, out };
}

describe('npm run teams:package (issue 22, deployment)', () => {
  it('writes a zip holding the filled manifest and the two icons at its root', { timeout: 70_000 }, () => {
    const r = packageApp({ TEAMS_APP_ID: APP_ID, TEAMS_BOT_HOST: 'Bot.Example.com', TEAMS_APP_VERSION: '1.4.2' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${r.out}`);
    const files = readZip(readFileSync(r.out));
    expect(files.map((f) => [f.name, f.method])).toEqual([
      ['manifest.json', 8],
      ['color.png', 8],
      ['outline.png', 8],
    ]);
    const [manifestFile, color, outline] = files;
    const manifest = JSON.parse(manifestFile!.data.toString('utf8'));
    const id = APP_ID.toLowerCase();
    expect(manifest).toMatchObject({
      version: '1.4.2',
      id,
      name: { short: 'session-ttl' },
      developer: { websiteUrl: 'https://bot.example.com/', privacyUrl: 'https://bot.example.com/' },
      bots: [{ botId: id }],
      validDomains: ['bot.example.com'],
      webApplicationInfo: { id, resource: `api://bot.example.com/${id}` },
    });
    expect(manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toContain('diagnose');
    expect(pngInfo(color!.data)).toMatchObject({ width: 192, height: 192 });
    expect(pngInfo(outline!.data)).toMatchObject({ width: 32, height: 32 });
    expect(color!.data.equals(readFileSync(join(ROOT, 'manifests/teams-app/color.png')))).toBe(true);
  });

  it('exits non-zero naming TEAMS_APP_ID when it is missing, and writes nothing', { timeout: 70_000 }, () => {
    const r = packageApp({ TEAMS_BOT_HOST: 'bot.example.com' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TEAMS_APP_ID is not set: the Microsoft App ID (a GUID) of the Azure Bot');
    expect(r.stderr).not.toContain('TEAMS_BOT_HOST');
    expect(existsSync(r.out)).toBe(false);
  });

  it('refuses a host given as a URL and a too long app name, each by its variable', { timeout: 70_000 }, () => {
    const r = packageApp({
      TEAMS_APP_ID: APP_ID,
      TEAMS_BOT_HOST: 'https://bot.example.com/',
      TEAMS_APP_NAME: 'x'.repeat(31),
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("TEAMS_BOT_HOST must be the bot's public host name");
    expect(r.stderr).toContain('TEAMS_APP_NAME must be 30 characters or less');
    expect(existsSync(r.out)).toBe(false);
  });
});
