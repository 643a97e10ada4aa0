import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { sharedRedisUrl } from '../support/shared-redis.js';

// A check's timeout is time deciding an outcome, so it is measured on the engine's clock (`now`): a test
// clock held still holds it, however long the check waits in real time (test/cluster-ops/environment-isolation).
const stalled = defineCheck({
  id: 'stalled',
  summary: 'waits until it is aborted',
  needs: [],
  findings: [],
  timeoutMs: 50,
  runByDefault: false,
  run: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve([]))),
});

describe('the check timeout on the engine clock', () => {
  it('does not time a check out while the clock is held, and does once the clock has passed the timeout', async () => {
    // Given: a check that never finishes, timed out after 50 ms, and a clock held still
    let t = Date.UTC(2026, 11, 1, 12, 0, 0);
    const config = parseConfig(
      { environments: { bare: { profile: 'development', redis: { url: sharedRedisUrl() } } } },
      'test',
    );
    let settled = false;
    const report = runDiagnosis(
      { config, registry: createCheckRegistry([stalled]), sourcesFor: () => ({}), now: () => t },
      { envName: 'bare', checkIds: ['stalled'] },
    ).finally(() => (settled = true));

    // When: ten timeouts' worth of real time pass on the held clock
    await new Promise((r) => setTimeout(r, 500));

    // Then: the check still runs
    expect(settled).toBe(false);

    // When: the clock moves past the timeout
    t += 50;

    // Then: the check times out at the engine's next look at the clock
    expect((await report).checks).toEqual([
      { id: 'stalled', status: 'error', durationMs: 50, message: 'timed out after 50 ms' },
    ]);
  });
});
