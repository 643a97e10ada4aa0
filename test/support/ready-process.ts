import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { eventually } from './eventually.js';

/** A started Prometheus-family process (Prometheus, Alertmanager): its stop kills it and removes `dir`. */
export interface ReadyProcess {
  stop(): Promise<void>;
}

/**
 * Spawns `bin` with `args` (its stderr kept for failure messages) and waits until `${url}/-/ready` answers 200,
 * as Prometheus and Alertmanager both serve it. A process that exits or is not ready in 30 s is stopped, `dir`
 * removed, and the error carries its output.
 */
export async function startReadyProcess(o: { name: string; bin: string; args: string[]; url: string; dir: string }) {
  const child = spawn(o.bin, o.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(o.dir, { recursive: true, force: true });
  };
  try {
    // Generous: a loaded machine can take seconds to start a process.
    await eventually(
      `${o.name} to be ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${o.name} exited with ${child.exitCode}:\n${output}`);
        return (await fetch(`${o.url}/-/ready`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 100, detail: () => output },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop, output: () => output } satisfies ReadyProcess & { output: () => string };
}
