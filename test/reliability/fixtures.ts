import { z } from 'zod';
import { findingSpec } from '../../src/diagnostics/catalogue/finding-spec.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

/** A fixture check that reads `INFO server` from the environment's Redis and reports its run id. */
export const serverInfoCheck = defineCheck({
  id: 'server-info',
  summary: 'Reads INFO server (test fixture)',
  needs: ['redis'],
  findings: [
    findingSpec({
      id: 'fixture.server_info',
      severity: { default: 'info' },
      evidence: z.object({ runId: z.string() }),
      scenarios: [],
    }),
  ],
  async run(ctx) {
    const info = await ctx.redis.nodes[0]!.info('server');
    return [
      {
        id: 'fixture.server_info',
        severity: 'info',
        title: 'Redis server',
        detail: 'Redis answered INFO.',
        evidence: { runId: info.run_id ?? '' },
      },
    ];
  },
});

/** A promise the test resolves by hand: the barrier a fixture check waits on. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A fixture check held open until the test lets it go: `entered` resolves when it starts, `release`
 * lets it finish (with one info finding).
 */
export function heldCheck(id = 'held') {
  const entered = deferred();
  const release = deferred();
  const check = defineCheck({
    id,
    summary: 'Waits until the test releases it (test fixture)',
    needs: [],
    findings: [
      findingSpec({
        id: `fixture.${id}`,
        severity: { default: 'info' },
        evidence: z.object({}),
        scenarios: [],
      }),
    ],
    async run() {
      entered.resolve();
      await release.promise;
      return [
        {
          id: `fixture.${id}`,
          severity: 'info',
          title: 'Held check finished',
          detail: 'released by the test',
          evidence: {},
        },
      ];
    },
  });
  return { check, entered, release };
}

/** A redis-server on `port` (the same port again after a stop: a restart as Kubernetes would do it). */
export async function startRedisOnPort(port: number): Promise<RedisServerHandle> {
  // Arguments after startRedisServer's own `--port` win.
  const handle = await startRedisServer(['--port', String(port)]);
  return { ...handle, port, url: `redis://127.0.0.1:${port}` };
}
