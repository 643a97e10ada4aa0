import { startBotProcess, type BotProcess, type BotProcessOptions, type ExitStatus } from './bot-process.js';

export interface ReplicaSetOptions extends Omit<BotProcessOptions, 'port' | 'env'> {
  /** How many replicas (default 3, as the prod overlay runs). */
  count?: number;
  /** The shared state Redis (`STATE_REDIS_URL`): what the replicas share. */
  stateRedisUrl: string;
  /** More environment for every replica. */
  env?: Record<string, string>;
}

/**
 * A Deployment of the bot on one machine: `count` real processes (`node main.js` of a build, as the
 * container runs) sharing one state Redis, a fake Slack and whatever the config points at. Replica `i`
 * keeps its port and its name (`HOSTNAME=replica-i`, as a pod's) across restarts.
 *
 * @example
 * const set = await startReplicaSet({ config, slackApiUrl: slack.apiUrl, stateRedisUrl: state.url });
 * await set.kill(0); // SIGKILL: an OOM kill, a node lost
 * await set.restart(0);
 */
export interface ReplicaSet {
  /** The running process of each replica (replaced by `restart`). */
  readonly replicas: readonly BotProcess[];
  /** SIGKILLs replica `i` and waits until it is gone. */
  kill(i: number): Promise<ExitStatus>;
  /** Starts replica `i` again (on its port, with its name) once it is gone; resolves when it listens. */
  restart(i: number): Promise<BotProcess>;
  /** The URL of each replica. */
  urls(): string[];
  /** Everything every replica logged (for a failure's detail). */
  output(): string;
  /** Stops every replica (SIGTERM, SIGKILL after a while). */
  stop(): Promise<void>;
}

export async function startReplicaSet(opts: ReplicaSetOptions): Promise<ReplicaSet> {
  const count = opts.count ?? 3;
  const { stateRedisUrl, env, count: _count, ...rest } = opts;
  const start = (i: number, port?: number) =>
    startBotProcess({
      ...rest,
      entry: opts.entry ?? 'build',
      ...(port ? { port } : {}),
      env: { HOSTNAME: `replica-${i}`, STATE_REDIS_URL: stateRedisUrl, EXPECTED_REPLICAS: String(count), ...env },
    });
  // Started one after the other: a loaded machine starts three at once much more slowly than one by one.
  const replicas: BotProcess[] = [];
  // Earlier generations too, so their logs stay readable after a restart.
  const all: BotProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const bot = await start(i);
      replicas.push(bot);
      all.push(bot);
    }
  } catch (err) {
    await Promise.all(replicas.map((r) => r.kill()));
    throw err;
  }
  const at = (i: number) => {
    const bot = replicas[i];
    if (!bot) throw new Error(`no replica ${i} (there are ${replicas.length})`);
    return bot;
  };
  return {
    replicas,
    kill: (i) => at(i).kill(),
    async restart(i) {
      const old = at(i);
      await old.exited;
      const bot = await start(i, old.port);
      replicas[i] = bot;
      all.push(bot);
      return bot;
    },
    urls: () => replicas.map((r) => r.url),
    output: () => all.map((r, i) => `--- process ${i} (port ${r.port})\n${r.output()}`).join('\n'),
    async stop() {
      await Promise.all(replicas.map((r) => r.stop(20_000)));
    },
  };
}
