#!/usr/bin/env node
// Runs the built CLI (dist/, built by `npm ci` / `npm run build`). In a checkout whose src/ changed after
// the last build, it runs the TypeScript source through tsx instead (slower), so it never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const src = fileURLToPath(new URL('../src', import.meta.url));

/** True when a file under src/ is newer than the build (a packed install has no src/). */
function sourceNewerThan(builtAt) {
  if (!existsSync(src)) return false;
  return readdirSync(src, { recursive: true }).some((name) => statSync(join(src, name)).mtimeMs > builtAt);
}

if (existsSync(built) && !sourceNewerThan(statSync(built).mtimeMs)) {
  await import(pathToFileURL(built).href);
} else {
  if (existsSync(built))
    process.stderr.write(
      'session-ttl: src/ changed since the last build; running the source (npm run build makes it fast again)\n',
    );
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
