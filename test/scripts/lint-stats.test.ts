import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lintStats } from '../../scripts/lint-stats.js';

// `npm run lint:stats -- --check` is what CI judges code shape by (issue 17): it must fail on each broken
// limit, and pass on a tree that keeps them.
const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lint-stats-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const check = (dir: string) => lintStats(dir, ['--check', '--list']);

const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
const fn = (name: string, lines: number) => `export function ${name}() {\n${body(lines - 2)}\n}\n`;

afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('lint:stats --check', () => {
  it('passes a tree within every limit (a 60-line function, an 80-line one in a composition root)', () => {
    const dir = tree({ 'src/feature/a.ts': fn('a', 60), 'src/main.ts': fn('root', 80) });
    const { code, out } = check(dir);
    expect(out).toMatch(/functions over their limit \(80 in roots, 60 elsewhere\)\s+0 {2}\(limit 0\)/);
    expect(code).toBe(0);
  });

  it.each([
    ['a 61-line function outside the roots', { 'src/feature/a.ts': fn('a', 61) }, /a \(61 lines\)/],
    ['an 81-line function in a composition root', { 'src/app/wire.ts': fn('wire', 81) }, /wire \(81 lines\)/],
    ['an any', { 'src/a.ts': 'export const x: any = 1;\n' }, /any\s+1 {2}\(limit 0: OVER\)/],
    [
      'a line over 160 characters',
      { 'src/a.ts': `export const s = '${'x'.repeat(160)}';\n` },
      /lines over 160 chars\s+1/,
    ],
    [
      '41 casts',
      {
        'src/a.ts': Array.from({ length: 41 }, (_, i) => `export const c${i} = (${i} as unknown) as number;`).join(
          '\n',
        ),
      },
      /casts \(as T, not as const\)\s+82 {2}\(limit 40: OVER\)/,
    ],
  ])('fails on %s and names it', (_what, files, named) => {
    const { code, out } = check(tree(files));
    expect(out).toMatch(named);
    expect(out).toContain('lint:stats: a limit is broken');
    expect(code).toBe(1);
  });

  it('holds for this repository', () => {
    const { code, out } = lintStats(ROOT, ['--check']);
    expect(out).not.toContain('OVER');
    expect(code).toBe(0);
  });
});
