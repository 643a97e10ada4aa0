import { createSourceCache } from '../../../src/app/sources.js';
import { runDiagnosis } from '../../../src/diagnostics/engine.js';
import { freePort } from '../../../src/demo/redis-process.js';
import { startRedisOnPort } from '../../../test/reliability/fixtures.js';
import type { ChaosContext, Probe } from '../probe.js';

/** The session store restarts between two diagnoses: the outage is reported fast, and the next one runs. */
export const redisRestartProbe = (ctx: ChaosContext): Probe => ({
  fault: 'Redis restarted between two diagnoses',
  expected: 'outage: redis.unreachable < 3 s; after: the check runs',
  async run() {
    const port = await freePort();
    let server = await startRedisOnPort(port);
    const sources = createSourceCache({});
    const deps = { config: ctx.configFor(server.url), registry: ctx.registry, sourcesFor: sources.sourcesFor };
    const diagnose = () => runDiagnosis(deps, { envName: 'dev', checkIds: ['server-info'] });
    try {
      await diagnose();
      await server.stop();
      const t0 = Date.now();
      const during = await diagnose();
      const outageMs = Date.now() - t0;
      server = await startRedisOnPort(port);
      const after = await diagnose();
      const unreachable = during.findings.some((f) => f.id === 'redis.unreachable');
      return {
        held: unreachable && outageMs < 3000 && after.checks[0]?.status === 'findings',
        observed: `outage: ${unreachable ? 'redis.unreachable' : 'no finding'} in ${outageMs} ms; after: ${after.checks[0]?.status}`,
      };
    } finally {
      await sources.close();
      await server.stop();
    }
  },
});
