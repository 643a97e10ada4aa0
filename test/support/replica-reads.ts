import type { Redis } from 'ioredis';
import type { Finding, Report } from '../../src/diagnostics/types.js';
import { nodeClient } from '../cluster/cluster-env.js';

/** The report's finding `id`; fails naming the findings and checks there are when it is missing. */
export function findingById(r: Report, id: string): Finding {
  const f = r.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no ${id} in ${r.findings.map((x) => x.id).join(', ')}; checks: ${JSON.stringify(r.checks)}`);
  return f;
}

/**
 * The commands the Redis nodes on `ports` receive while `run` runs (MONITOR on each), each as its quoted
 * lower-case name without arguments (`"scan"`): what a test of reads from a replica looks for on the primary.
 */
export async function commandsOn(ports: readonly number[], run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const monitors: Redis[] = await Promise.all(ports.map((port) => nodeClient(port).monitor()));
  for (const m of monitors)
    m.on('monitor', (_time: string, args: string[]) => seen.push(`"${String(args[0]).toLowerCase()}"`));
  try {
    await run();
  } finally {
    for (const m of monitors) m.disconnect();
  }
  return seen;
}
