/**
 * `npm run chaos`: the fault probes of issues 9 and 19 in one go, against local processes only (redis-servers
 * on loopback, the fake Slack Web API and the fake Kubernetes API on loopback, the real bot in-process and as
 * three replica processes of a build, `node main.js`, sharing a state Redis). Prints each probe as it ends,
 * then a table (fault, expected, observed, held) and, last, `N/N faults held`. Bounded: each probe has a
 * deadline (30 s in-process, up to 150 s for a replica probe), the replicas' start 300 s; 2.5 to 3.5 minutes
 * in all on a loaded 2-core machine. Exit code 1 when a probe did not hold.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_BUILD_DIR } from '../../test/support/paths.js';
import { startChaosContext } from './context.js';
import { PROBE_DEADLINE_MS, type Probe, type ProbeResult } from './probe.js';
import { redisRestartProbe } from './probes/redis-restart.js';
import { sigtermProbes } from './probes/sigterm.js';
import { slackRefusalProbes } from './probes/slack-refusals.js';
import { stateStoreProbes } from './probes/state-store.js';
import { webhookLoadProbe } from './probes/webhook-load.js';
import { replicaProbes } from './replicas/replica-probes.js';
import { printReport, type Row } from './report.js';

/** The probe's result, or not held when it throws or outlives its deadline. */
async function runProbe(p: Probe): Promise<Row> {
  const deadlineMs = p.deadlineMs ?? PROBE_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${deadlineMs / 1000} s`)), deadlineMs);
  });
  try {
    const result: ProbeResult = await Promise.race([p.run(), deadline]);
    return { fault: p.fault, expected: p.expected, ...result };
  } catch (err) {
    return {
      fault: p.fault,
      expected: p.expected,
      observed: `probe failed: ${(err as Error).message}`.slice(0, 90),
      held: false,
    };
  } finally {
    clearTimeout(timer);
  }
}

const startedAt = Date.now();
// The replicas run a build of the bot made for this run (test/support/built-bot.ts), removed at the end.
const runId = `chaos-${process.pid}-${startedAt}`;
process.env.BOT_BUILD_RUN_ID ??= runId;
const ctx = await startChaosContext();
const rows: Row[] = [];
try {
  const inProcess = [
    redisRestartProbe(ctx),
    ...sigtermProbes(ctx),
    ...slackRefusalProbes(ctx),
    ...stateStoreProbes(ctx),
    webhookLoadProbe(ctx),
  ];
  const record = (row: Row) => {
    rows.push(row);
    console.log(`${row.held ? 'held' : 'NOT HELD'}: ${row.fault}: ${row.observed}`);
  };
  for (const p of inProcess) {
    ctx.slack.reset();
    record(await runProbe(p));
  }
  ctx.slack.reset();
  await replicaProbes(
    ctx.slack,
    async (p) => {
      ctx.slack.reset();
      record(await runProbe(p));
    },
    record,
  );
} finally {
  await ctx.close();
  if (process.env.BOT_BUILD_RUN_ID === runId) {
    rmSync(join(TEST_BUILD_DIR, runId), { recursive: true, force: true });
    rmSync(join(TEST_BUILD_DIR, `${runId}.lock`), { recursive: true, force: true });
  }
}
printReport(rows, startedAt);
process.exitCode = rows.every((r) => r.held) ? 0 : 1;
