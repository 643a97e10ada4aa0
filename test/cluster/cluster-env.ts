import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import type { Report } from '../../src/diagnostics/types.js';
import { captureIo } from '../support/cli-io.js';

/** A config file with the given environments (each `redis` section as written), rate window 100 ms. */
export function writeConfig(environments: Record<string, Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cli-'));
  const path = join(dir, 'session-ttl.yaml');
  writeFileSync(path, stringify({ environments, defaults: { rateWindowMs: 100 } }));
  return path;
}

/** `session-ttl diagnose <env> --json [...args]` through the real CLI; stderr must stay empty. */
export async function diagnoseJson(
  config: string,
  env: string,
  args: string[] = [],
  processEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number; report: Report; err: string }> {
  const io = captureIo(processEnv);
  const code = await runCli(['diagnose', env, '--config', config, '--json', ...args], io);
  return { code, report: JSON.parse(io.out()) as Report, err: io.err() };
}

/** A plain client to one node, for setting a fault up or reading what the bot did. */
export function nodeClient(port: number, password?: string): Redis {
  const c = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: false,
    maxRetriesPerRequest: 0,
    ...(password ? { password } : {}),
  });
  c.on('error', () => undefined);
  return c;
}

/** Moves one hash slot from one master to another, keys included, the way `redis-cli --cluster reshard` does. */
export async function migrateSlot(
  slot: number,
  fromPort: number,
  toPort: number,
  allPorts: readonly number[],
): Promise<void> {
  const src = nodeClient(fromPort);
  const dst = nodeClient(toPort);
  try {
    const srcId = (await src.call('CLUSTER', 'MYID')) as string;
    const dstId = (await dst.call('CLUSTER', 'MYID')) as string;
    await dst.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', srcId);
    await src.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', dstId);
    for (;;) {
      const keys = (await src.callBuffer('CLUSTER', 'GETKEYSINSLOT', slot, 100)) as Buffer[];
      if (!keys.length) break;
      await src.callBuffer('MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...keys);
    }
    await dst.call('CLUSTER', 'SETSLOT', slot, 'NODE', dstId);
    await src.call('CLUSTER', 'SETSLOT', slot, 'NODE', dstId);
    for (const port of allPorts.filter((p) => p !== fromPort && p !== toPort)) {
      const other = nodeClient(port);
      await other.call('CLUSTER', 'SETSLOT', slot, 'NODE', dstId).finally(() => other.disconnect());
    }
  } finally {
    src.disconnect();
    dst.disconnect();
  }
}

/** The port of the master that serves `slot`, from CLUSTER SLOTS of any node. */
export async function ownerPort(anyPort: number, slot: number): Promise<number> {
  const c = nodeClient(anyPort);
  try {
    const ranges = (await c.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
    const r = ranges.find(([a, b]) => slot >= a && slot <= b);
    if (!r) throw new Error(`slot ${slot} is not served`);
    return Number(r[2][1]);
  } finally {
    c.disconnect();
  }
}
