import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface RedisServerHandle {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function redisServerAvailable(bin = 'redis-server'): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts a throwaway `redis-server` on a free loopback port with nothing persisted.
 * Extra args are appended (e.g. `['--maxmemory', '10mb']`). A port is free when chosen but may be taken
 * before the server binds it (by another process, or as the local port of an outgoing connection): then it
 * starts again on another port, up to 5 times.
 */
export async function startRedisServer(extraArgs: string[] = [], bin = 'redis-server'): Promise<RedisServerHandle> {
  if (!redisServerAvailable(bin)) {
    throw new Error(
      `redis-server was not found on PATH. Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) and run the tests again.`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), extraArgs, bin);
    } catch (err) {
      if (attempt >= 5 || !isPortTaken(err)) throw err;
    }
  }
}

/** True for a redis-server that could not start because a port it was to listen on is taken. */
export function isPortTaken(err: unknown): boolean {
  return err instanceof Error && /Address already in use/.test(err.message);
}

async function launch(port: number, extraArgs: string[], bin: string): Promise<RedisServerHandle> {
  const child = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    // Generous: a loaded machine can take seconds to start a process.
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}:\n${output}`)), 30_000);
    const onData = () => {
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
