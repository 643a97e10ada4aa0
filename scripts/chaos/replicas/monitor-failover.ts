import { scrape } from '../../../test/monitor/scrape.js';
import { eventually } from '../../../test/support/eventually.js';
import type { Probe } from '../probe.js';
import { WATCHED, type ReplicaChaos } from './replica-context.js';

const env = { environment: WATCHED };

/** Per live replica: whether it holds the monitor lease, and its gaps; a dead one reads undefined. */
function samples(rc: ReplicaChaos) {
  return Promise.all(
    rc.set.replicas.map(async (r) => {
      if (r.child.exitCode !== null || r.child.signalCode !== null) return undefined;
      const s = await scrape(r.port).catch(() => undefined);
      return s && { held: s('session_monitor_lease_held', env), gaps: s('session_monitor_gaps_total', env) };
    }),
  );
}

/** The one live replica that holds the lease (other than `excluding`). */
function watcher(rc: ReplicaChaos, excluding?: number): Promise<number> {
  return eventually(
    'exactly one replica to hold the monitor lease',
    async () => {
      const all = await samples(rc);
      const holders = all.flatMap((s, i) => (s?.held === 1 ? [i] : []));
      return holders.length === 1 && holders[0] !== excluding ? holders[0] : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 200 },
  );
}

/** SIGKILL of the replica that watches the sessions: another takes the lease over and counts one gap. */
export const monitorFailoverProbe = (replicas: () => ReplicaChaos): Probe => ({
  fault: 'SIGKILL of the monitor watcher (3 replicas)',
  expected: 'another replica watches; one gap counted',
  deadlineMs: 150_000,
  async run() {
    const rc = replicas();
    const first = await watcher(rc);
    await rc.set.kill(first);
    const killedAt = Date.now();
    const pipeline = rc.sessions.pipeline();
    for (let i = 0; i < 5; i++) pipeline.set(`session:chaos-gap-${i}`, 'u', 'PX', 200);
    await pipeline.exec();
    const second = await watcher(rc, first);
    const tookOverMs = Date.now() - killedAt;
    const gaps = await eventually(
      'the new watcher to count the gap',
      async () => {
        const g = (await samples(rc))[second]?.gaps;
        return g ? g : undefined;
      },
      { timeoutMs: 30_000 },
    );
    await rc.restart(first);
    return {
      held: second !== first && gaps === 1,
      observed: `replica ${first} killed; replica ${second} watches after ${(tookOverMs / 1000).toFixed(1)} s; ${gaps} gap(s)`,
    };
  },
});
