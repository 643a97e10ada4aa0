/** The terminal, passed in so the CLI can be driven from tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Colour output: stdout is a TTY and NO_COLOR is unset. */
  color: boolean;
  stderrIsTTY: boolean;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    color: !!process.stdout.isTTY && !process.env.NO_COLOR,
    stderrIsTTY: !!process.stderr.isTTY,
  };
}
