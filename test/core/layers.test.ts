import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const depcruise = (cwd: string) =>
  spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'src',
      '--config',
      join(ROOT, '.dependency-cruiser.cjs'),
      '--output-type',
      'err',
    ],
    {
      cwd,
      encoding: 'utf8',
      timeout: 150_000,
    },
  );

/** A throwaway tree with the given files under src/, cruised with the project's rules. */
function plant(files: Record<string, string>): ReturnType<typeof depcruise> {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return depcruise(dir);
}

// Each test spawns dependency-cruiser over the tree: seconds of work, a minute on a heavily loaded machine.
describe('layer rules (.dependency-cruiser.cjs)', { timeout: 200_000 }, () => {
  it('hold on the source tree', () => {
    const r = depcruise(ROOT);
    expect(r.stdout + r.stderr).toMatch(/no dependency violations found/);
    expect(r.status).toBe(0);
  });

  it('fail on a diagnostics module that imports chat/, a config that imports a feature, and a cycle', () => {
    const r = plant({
      'src/chat/slack/thing.ts': 'export const x = 1;\n',
      'src/diagnostics/bad.ts': "import { x } from '../chat/slack/thing.js';\nexport const y = x;\n",
      'src/config/c.ts': "import { y } from '../diagnostics/bad.js';\nexport const z = y;\n",
      'src/alerts/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/alerts/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toContain('domain-not-to-platform: src/diagnostics/bad.ts → src/chat/slack/thing.ts');
    expect(out).toContain('config-imports-no-feature: src/config/c.ts → src/diagnostics/bad.ts');
    expect(out).toMatch(/no-circular: src\/alerts\/a\.ts/);
  });

  it('fail on a domain module that imports an adapter, an adapter that imports the domain, and a command that names a chat platform', () => {
    const r = plant({
      'src/adapters/redis/impl.ts': 'export const impl = 1;\n',
      'src/verify/uses-adapter.ts': "import { impl } from '../adapters/redis/impl.js';\nexport const v = impl;\n",
      'src/remediation/types.ts': 'export interface Plan { id: string }\n',
      'src/adapters/kubernetes/writer.ts':
        "import type { Plan } from '../../remediation/types.js';\nexport const w = (p: Plan) => p.id;\n",
      'src/chat/slack/blocks.ts': 'export const blocks = [];\n',
      'src/commands/diagnose.ts': "import { blocks } from '../chat/slack/blocks.js';\nexport const d = blocks;\n",
      'src/core/ports/port.ts': "import { w } from '../../adapters/kubernetes/writer.js';\nexport const p = w;\n",
    });
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toContain('domain-not-to-adapters: src/verify/uses-adapter.ts → src/adapters/redis/impl.ts');
    expect(out).toContain(
      'adapters-only-to-core-and-config: src/adapters/kubernetes/writer.ts → src/remediation/types.ts',
    );
    expect(out).toContain('commands-not-to-chat: src/commands/diagnose.ts → src/chat/slack/blocks.ts');
    expect(out).toContain('ports-import-core-and-config: src/core/ports/port.ts → src/adapters/kubernetes/writer.ts');
  });
});
