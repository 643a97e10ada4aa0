import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';
import type { TlsCerts } from './tls-certs.js';

/** A sentinel that speaks TLS only (`port 0`, `tls-port`), and reaches its master over TLS (`tls-replication`). */
export interface TlsSentinelHandle {
  port: number;
  /** `127.0.0.1:<tls port>`, as `redis.sentinel.nodes` takes it. */
  address: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function sentinelConf(certs: TlsCerts, dir: string, port: number, name: string, masterPort: number): string {
  return [
    'port 0',
    `tls-port ${port}`,
    'bind 127.0.0.1',
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
    `tls-cert-file ${certs.serverCert}`,
    `tls-key-file ${certs.serverKey}`,
    `tls-ca-cert-file ${certs.caFile}`,
    'tls-auth-clients no',
    'tls-replication yes',
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${name} 1000`,
    '',
  ].join('\n');
}

async function launch(certs: TlsCerts, dir: string, port: number, name: string, masterPort: number) {
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(conf, sentinelConf(certs, dir, port, name, masterPort));
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (d: Buffer) => (output += d.toString());
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`TLS sentinel did not start on ${port}:\n${output}`)), 30_000);
    child.stdout?.on('data', () => {
      if (/\+monitor master/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`TLS sentinel exited:\n${output}`));
    });
  });
  return { child, output: () => output };
}

/**
 * One `redis-server --sentinel` on a TLS port with the CA's server certificate, watching `name` at
 * 127.0.0.1:`masterPort` (a TLS data node) with quorum 1.
 */
export async function startTlsSentinel(certs: TlsCerts, name: string, masterPort: number): Promise<TlsSentinelHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'tls-sentinel-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const { child, output } = await launch(certs, dir, port, name, masterPort);
      const stop = () =>
        new Promise<void>((resolve) => {
          const done = () => {
            rmSync(dir, { recursive: true, force: true });
            resolve();
          };
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGTERM');
        });
      return { port, address: `127.0.0.1:${port}`, process: child, output, stop };
    } catch (err) {
      if (attempt >= 5 || !(err instanceof Error) || !/Address already in use/.test(err.message)) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}
