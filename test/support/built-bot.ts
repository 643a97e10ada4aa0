import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually.js';
import { ROOT, TEST_BUILD_DIR } from './paths.js';

/** How long a build may take when the machine is loaded (tsc: about 8 s on an idle 2-core machine). */
const BUILD_TIMEOUT_MS = 180_000;

let built: Promise<string> | undefined;

/** Builds once per test run (the first caller, in whichever worker, under a lock folder); the others wait for it. */
async function build(runId: string): Promise<string> {
  const dir = join(TEST_BUILD_DIR, runId);
  const done = join(dir, 'BUILT');
  const lock = join(TEST_BUILD_DIR, `${runId}.lock`);
  mkdirSync(TEST_BUILD_DIR, { recursive: true });
  let mine = false;
  try {
    mkdirSync(lock);
    mine = true;
  } catch {
    // Another worker builds it.
  }
  if (mine) {
    rmSync(dir, { recursive: true, force: true });
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')],
      { cwd: ROOT, timeout: BUILD_TIMEOUT_MS },
    );
    // `dist/cli/run-cli.js` reads `../../package.json` (the version), as the published package does.
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    writeFileSync(done, new Date().toISOString());
  } else {
    await eventually(`the test build in ${dir}`, () => existsSync(done), {
      timeoutMs: BUILD_TIMEOUT_MS,
      intervalMs: 200,
    });
  }
  return join(dir, 'dist');
}

/**
 * The path of `file` (e.g. `main.js`) in a build of the bot made for this test run (`tsc -p tsconfig.build.json`,
 * as `npm run build` does, into `.test-build/<run>/dist`): the replica tests run `node main.js` as the
 * container does, and a build older than the source is never used. Outside vitest (scripts), the run is
 * named by `BOT_BUILD_RUN_ID`.
 */
export async function builtBotEntry(file: string): Promise<string> {
  // Imported here, so that scripts (npm run chaos) can use the harness outside vitest with a build of their own.
  const runId = process.env.BOT_BUILD_RUN_ID ?? (await import('vitest')).inject('testRunId');
  built ??= build(runId);
  return join(await built, file);
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Unique per `vitest run`: names the run's build of the bot (test/support/built-bot.ts). */
    testRunId: string;
  }
}
