import type { CliIo } from '../../src/cli/io.js';

/** A CLI terminal whose output is kept for assertions. */
export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env,
    color: false,
    stderrIsTTY: false,
    out: () => out,
    err: () => err,
  };
}
