/**
 * A child process of a benchmark that speaks JSON lines (bench/webhook-client.ts, bench/fake-slack-process.ts):
 * each `ask` writes one line and resolves with the next line the child writes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface LineProcess {
  /** The first line the child wrote (its greeting), or undefined. */
  first(): Promise<unknown>;
  ask(line: unknown): Promise<unknown>;
  end(): void;
}

export function startLineProcess(file: string): LineProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, file)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const n = await lines.next();
    if (n.done) throw new Error(`${file} exited`);
    return JSON.parse(n.value as string) as unknown;
  };
  return {
    first: next,
    ask(line) {
      child.stdin.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
      return next();
    },
    end: () => child.stdin.end(),
  };
}
