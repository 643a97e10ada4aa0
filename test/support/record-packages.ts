/**
 * A preload (`node --import tsx --import ./test/support/record-packages.ts ...`) that writes the npm
 * packages the process loaded to `$RECORD_PACKAGES_FILE` (a JSON array) when it exits: every ES module
 * import resolved into node_modules (through a resolve hook), and every CommonJS module in require's cache.
 */
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const out = process.env.RECORD_PACKAGES_FILE;
if (!out) throw new Error('record-packages: set RECORD_PACKAGES_FILE');

const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)\//;
const seen = new Set<string>();
const { port1, port2 } = new MessageChannel();
port1.on('message', (name: string) => seen.add(name));
port1.unref();

// The hooks run on the loader thread; each resolved URL inside node_modules is posted back here.
const hooks = `
let port;
export async function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const m = ${PACKAGE.toString()}.exec(result.url);
  if (m) port.postMessage(m[1]);
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  parentURL: import.meta.url,
  data: { port: port2 },
  transferList: [port2],
});

process.on('exit', () => {
  for (const file of Object.keys(createRequire(import.meta.url).cache)) {
    const m = PACKAGE.exec(file);
    if (m?.[1]) seen.add(m[1]);
  }
  writeFileSync(out, JSON.stringify([...seen].sort()));
});
