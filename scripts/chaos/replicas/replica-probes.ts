import type { FakeSlackApi } from '../../../test/fakes/slack-api.js';
import type { Probe } from '../probe.js';
import type { Row } from '../report.js';
import { approveTwiceProbe } from './approve-twice.js';
import { killAfter200Probe } from './kill-after-200.js';
import { monitorFailoverProbe } from './monitor-failover.js';
import { startReplicaChaos, type ReplicaChaos } from './replica-context.js';
import { lostAnswerProbe, outageProbe } from './slack-faults.js';

const START_DEADLINE_MS = 300_000;

/** The replica probes, in the order they run (the SIGKILL after a 200 last: it may leave a replica restarting). */
const probesFor = (rc: () => ReplicaChaos): Probe[] => [
  monitorFailoverProbe(rc),
  approveTwiceProbe(rc),
  lostAnswerProbe(rc),
  outageProbe(rc),
  killAfter200Probe(rc),
];

/**
 * Starts three replica processes (a build of the bot) and runs each replica probe through `run`; when they
 * cannot start within the deadline, every replica probe is recorded as not held with the reason.
 */
export async function replicaProbes(
  slack: FakeSlackApi,
  run: (p: Probe) => Promise<void>,
  record: (row: Row) => void,
): Promise<void> {
  console.log('starting three replica processes (a build of the bot) for the replica probes…');
  let timer: NodeJS.Timeout | undefined;
  const starting = startReplicaChaos(slack);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not started within ${START_DEADLINE_MS / 1000} s`)), START_DEADLINE_MS);
  });
  let rc: ReplicaChaos;
  try {
    rc = await Promise.race([starting, deadline]);
  } catch (err) {
    void starting.then((late) => late.stop()).catch(() => undefined);
    const observed = `replicas did not start: ${(err as Error).message}`.slice(0, 90);
    const unstarted = () => {
      throw new Error('the replicas did not start');
    };
    for (const { fault, expected } of probesFor(unstarted)) record({ fault, expected, observed, held: false });
    return;
  } finally {
    clearTimeout(timer);
  }
  try {
    const started = rc;
    for (const p of probesFor(() => started)) await run(p);
  } finally {
    await rc.stop();
  }
}
