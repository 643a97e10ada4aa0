/**
 * `npx tsx bench/do-no-harm.ts [--rounds N]` (`npm run bench:harm`; also run by `npm run bench`): the two
 * figures the test suite used to assert with retries. They are server times (SLOWLOG) and eviction counts
 * on a machine that may be loaded, so they are measured here, each round printed with its target:
 *
 * 1. The gentle audit's calls (issue 12 target 1): 5,000 sessions among 5,000 other keys, the default
 *    gentle batches (unpaced, so calls follow each other as closely as they can), SLOWLOG at 2 ms.
 *    Target: no call of 2 ms or more.
 * 2. Diagnoses at maxmemory (issue 10 item 1): a redis-server at its 8 MB limit under allkeys-lru (the
 *    suite's store, test/support/at-maxmemory.ts); three full diagnoses in a row, then a control period of
 *    the same length in which nobody reads. Targets: no more evictions than the control, no call of 2 ms or more.
 * 3. Against a minimal reader (issue 18 item 11): a fresh redis-server at that limit with no headroom left,
 *    after one warm-up read: three runs of the minimal reader (test/support/minimal-reader.ts: one connection,
 *    INFO, CONFIG GET, 1000 TTLs by SCAN COUNT 50 + PTTL pipelines of 50), then, filled to the limit and
 *    warmed up again, three `session-ttl diagnose` runs (each its own connection, as the CLI makes them).
 *    Target: the diagnoses evict no more keys than the minimal reader.
 *
 * The suite keeps what does not depend on the machine: every key counted and the calls batched
 * (test/audit/audit-modes.test.ts), no eviction caused by the bot's reads (test/diagnostics/sampling/do-no-harm.test.ts).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { IoRedisNode } from '../src/adapters/redis/redis-node.js';
import { parseConfig } from '../src/config/config.js';
import { DIAGNOSIS_DEFAULTS } from '../src/config/diagnosis-defaults.js';
import { startRedisServer } from '../src/demo/redis-process.js';
import { allChecks } from '../src/diagnostics/all-checks.js';
import { runDiagnosis } from '../src/diagnostics/engine.js';
import { createCheckRegistry } from '../src/diagnostics/registry.js';
import { auditPlanFor } from '../src/diagnostics/sampling/audit-plan.js';
import { createKeyspaceSampler } from '../src/diagnostics/sampling/keyspace-sampler.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../src/cli/run-cli.js';
import { EVICTING_REDIS_ARGS, evictedKeys, fillToMaxmemory, fillUntilEvicting } from '../test/support/at-maxmemory.js';
import { minimalReader } from '../test/support/minimal-reader.js';

const SLOW_US = 2000;

export interface SlowCalls {
  /** Calls of 2 ms or more (SLOWLOG). */
  over: number;
  maxUs: number;
  /** The slow calls by command, e.g. `EVALSHA 2, INFO 1`. */
  byCommand: string;
}

export interface DoNoHarmResult {
  rounds: number;
  audit: SlowCalls[];
  maxmemory: { byBot: number; control: number; slow: SlowCalls }[];
  /** Keys evicted by three minimal readers and by three diagnoses, each after one warm-up read at the limit. */
  minimal: { reader: number; diagnoses: number }[];
  load: { start: number[]; end: number[] };
  pass: { audit: boolean; evictions: boolean; maxmemorySlowlog: boolean; minimal: boolean };
  lines: string[];
}

async function withSlowlog(admin: Redis, work: () => Promise<void>): Promise<SlowCalls> {
  const [, before] = (await admin.config('GET', 'slowlog-log-slower-than')) as [string, string];
  await admin.config('SET', 'slowlog-log-slower-than', String(SLOW_US));
  await admin.config('SET', 'slowlog-max-len', '10000');
  await admin.slowlog('RESET');
  try {
    await work();
    const entries = (await admin.slowlog('GET', 10_000)) as [number, number, number, string[]][];
    const counts = new Map<string, number>();
    for (const e of entries)
      counts.set(String(e[3][0]).toUpperCase(), (counts.get(String(e[3][0]).toUpperCase()) ?? 0) + 1);
    return {
      over: entries.length,
      maxUs: Math.max(0, ...entries.map((e) => e[2])),
      byCommand: [...counts].map(([c, n]) => `${c} ${n}`).join(', '),
    };
  } finally {
    await admin.config('SET', 'slowlog-log-slower-than', before);
  }
}

const slowText = (s: SlowCalls) =>
  `${s.over} call(s) of 2 ms or more${s.over ? ` (max ${(s.maxUs / 1000).toFixed(2)} ms; ${s.byCommand})` : ''}`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
/** Prints a line of the result as it comes, and keeps it for bench/results. */
const note = (lines: string[], line: string) => {
  lines.push(line);
  console.log(line);
};

/** Figure 1: the default gentle audit of 10,000 keys, unpaced, under SLOWLOG. */
async function auditRounds(rounds: number, lines: string[]): Promise<SlowCalls[]> {
  const server = await startRedisServer();
  const client = new Redis(server.url);
  try {
    const value = JSON.stringify({ created_at: new Date(Date.now() - 60_000).toISOString() });
    const p = client.pipeline();
    for (let i = 0; i < 5_000; i++) p.set(`session:${i}`, value, 'EX', 3600);
    for (let i = 0; i < 5_000; i++) p.set(`other:${i}`, value);
    await p.exec();
    const plan = { ...auditPlanFor(undefined, undefined, DIAGNOSIS_DEFAULTS.audit), pauseMs: 0 };
    const out: SlowCalls[] = [];
    for (let round = 1; round <= rounds; round++) {
      let batches = 0;
      const slow = await withSlowlog(client, async () => {
        const sample = await createKeyspaceSampler({
          nodes: [new IoRedisNode(client)],
          keyPattern: 'session:*',
          expectedTtlSeconds: 3600,
          full: true,
          audit: plan,
          sampleSize: 40,
          now: Date.now,
          signal: new AbortController().signal,
        }).sample();
        if (sample.stats.summary().sampled !== 5_000)
          throw new Error(`the audit counted ${sample.stats.summary().sampled} sessions, expected 5000`);
        batches = sample.audit?.batches ?? 0;
      });
      out.push(slow);
      note(
        lines,
        `  round ${round}/${rounds}: gentle audit of 10,000 keys (5,000 sessions), ${batches} batches of COUNT ${plan.scanCount}: ${slowText(slow)} (target none: ${verdict(slow.over === 0)})`,
      );
    }
    return out;
  } finally {
    client.disconnect();
    await server.stop();
  }
}

/** Figure 2: three full diagnoses of a store at its maxmemory, then a control period as long. */
async function maxmemoryRounds(rounds: number, lines: string[]): Promise<DoNoHarmResult['maxmemory']> {
  const server = await startRedisServer(EVICTING_REDIS_ARGS);
  const admin = new Redis(server.url);
  const botClient = new Redis(server.url);
  try {
    await fillToMaxmemory(admin);
    const config = parseConfig(
      {
        environments: { full: { profile: 'development', redis: { url: server.url } } },
        defaults: { rateWindowMs: 200 },
      },
      'bench',
    );
    const deps = {
      config,
      registry: createCheckRegistry(allChecks),
      sourcesFor: () => ({ redis: { nodes: [new IoRedisNode(botClient)] } }),
    };
    const out: DoNoHarmResult['maxmemory'] = [];
    for (let round = 1; round <= rounds; round++) {
      let byBot = 0;
      let elapsed = 0;
      const slow = await withSlowlog(admin, async () => {
        const before = await evictedKeys(admin);
        const t0 = Date.now();
        for (let i = 0; i < 3; i++) await runDiagnosis(deps, { envName: 'full' });
        elapsed = Date.now() - t0;
        byBot = (await evictedKeys(admin)) - before;
      });
      const controlStart = await evictedKeys(admin);
      await new Promise((r) => setTimeout(r, elapsed));
      const control = (await evictedKeys(admin)) - controlStart;
      out.push({ byBot, control, slow });
      note(
        lines,
        `  round ${round}/${rounds}: 3 diagnoses at maxmemory in ${(elapsed / 1000).toFixed(1)} s: ${byBot} eviction(s), control ${control} (target no more: ${verdict(byBot <= control)}); ${slowText(slow)} (target none: ${verdict(slow.over === 0)})`,
      );
    }
    return out;
  } finally {
    admin.disconnect();
    botClient.disconnect();
    await server.stop();
  }
}

/** Figure 3: three minimal readers, then three CLI diagnoses, each after one warm-up read at the limit. */
async function minimalReaderRounds(rounds: number, lines: string[]): Promise<DoNoHarmResult['minimal']> {
  const out: DoNoHarmResult['minimal'] = [];
  const quiet = {
    stdout: { write: () => true },
    stderr: { write: () => true },
    env: {},
    color: false,
    stderrIsTTY: false,
  };
  for (let round = 1; round <= rounds; round++) {
    const server = await startRedisServer(EVICTING_REDIS_ARGS);
    const admin = new Redis(server.url);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'do-no-harm-'));
      const config = join(dir, 'session-ttl.yaml');
      writeFileSync(
        config,
        stringify({ environments: { dev: { profile: 'development', redis: { url: server.url } } } }),
      );
      const evictedBy = async (work: () => Promise<unknown>) => {
        const before = await evictedKeys(admin);
        for (let i = 0; i < 3; i++) await work();
        return (await evictedKeys(admin)) - before;
      };
      let next = await fillUntilEvicting(admin);
      await minimalReader(server.url);
      const reader = await evictedBy(() => minimalReader(server.url));
      next = await fillUntilEvicting(admin, next);
      await minimalReader(server.url);
      const diagnoses = await evictedBy(() => runCli(['diagnose', 'dev', '--config', config, '--json'], quiet));
      out.push({ reader, diagnoses });
      note(
        lines,
        `  round ${round}/${rounds}: at the limit after one warm-up read, 3 minimal readers evicted ${reader} key(s), 3 diagnoses ${diagnoses} (target no more: ${verdict(diagnoses <= reader)})`,
      );
    } finally {
      admin.disconnect();
      await server.stop();
    }
  }
  return out;
}

export async function runDoNoHarmBench(opts: { rounds?: number } = {}): Promise<DoNoHarmResult> {
  const rounds = opts.rounds ?? 3;
  const start = loadavg();
  const lines: string[] = [];
  console.log(`\ndo no harm (bench/do-no-harm.ts): the gentle audit's calls, and diagnoses of a store at maxmemory`);
  note(lines, `load ${start.map((l) => l.toFixed(2)).join(' ')}; ${rounds} round(s) of each`);
  const audit = await auditRounds(rounds, lines);
  const maxmemory = await maxmemoryRounds(rounds, lines);
  const minimal = await minimalReaderRounds(rounds, lines);
  const pass = {
    audit: audit.every((s) => s.over === 0),
    evictions: maxmemory.every((m) => m.byBot <= m.control),
    maxmemorySlowlog: maxmemory.every((m) => m.slow.over === 0),
    minimal: minimal.every((m) => m.diagnoses <= m.reader),
  };
  note(
    lines,
    `gentle audit: no call of 2 ms or more in ${audit.filter((s) => s.over === 0).length} of ${rounds} rounds (target every round: ${verdict(pass.audit)})`,
  );
  note(
    lines,
    `at maxmemory: no more evictions than the control in ${maxmemory.filter((m) => m.byBot <= m.control).length} of ${rounds} rounds (target every round: ${verdict(pass.evictions)}); no call of 2 ms or more in ${maxmemory.filter((m) => m.slow.over === 0).length} of ${rounds} (target every round: ${verdict(pass.maxmemorySlowlog)})`,
  );
  note(
    lines,
    `against a minimal reader: no more evictions in ${minimal.filter((m) => m.diagnoses <= m.reader).length} of ${rounds} rounds (target every round: ${verdict(pass.minimal)})`,
  );
  const end = loadavg();
  note(lines, `load at the end ${end.map((l) => l.toFixed(2)).join(' ')}`);
  return { rounds, audit, maxmemory, minimal, load: { start, end }, pass, lines };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
  await runDoNoHarmBench(values.rounds ? { rounds: Number(values.rounds) } : {});
}
