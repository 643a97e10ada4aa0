import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ClusterPort } from '../../src/core/ports/cluster.js';
import type { SessionStore } from '../../src/core/ports/session-store.js';
import { defineCheck, MissingSourceError } from '../../src/diagnostics/define-check.js';
import type { KeyspaceSampler } from '../../src/diagnostics/sampling/keyspace-sampler.js';
import { makeContext } from './check-context.js';

describe('defineCheck', () => {
  it('types the context by what the check needs and may use', () => {
    defineCheck({
      id: 'typed',
      summary: 'type-level only',
      needs: ['redis'],
      optional: ['kubernetes'],
      findings: [],
      async run(ctx) {
        expectTypeOf(ctx.redis).toEqualTypeOf<SessionStore>();
        expectTypeOf(ctx.sampler).toEqualTypeOf<KeyspaceSampler>();
        expectTypeOf(ctx.cluster).toEqualTypeOf<ClusterPort | undefined>();
        return [];
      },
    });
    defineCheck({
      id: 'kube-only',
      summary: 'type-level only',
      needs: ['kubernetes'],
      findings: [],
      async run(ctx) {
        expectTypeOf(ctx.cluster).toEqualTypeOf<ClusterPort>();
        // @ts-expect-error a check that does not declare redis has no store
        void ctx.redis;
        return [];
      },
    });
  });

  it('refuses to run without a source the check needs', async () => {
    const check = defineCheck({
      id: 'k',
      summary: 'needs the cluster',
      needs: ['kubernetes'],
      findings: [],
      run: async () => [],
    });
    const { cluster: _dropped, ...withoutCluster } = makeContext();
    const err = await check.run(withoutCluster).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingSourceError);
    expect((err as MissingSourceError).message).toBe('check "k" needs kubernetes, which this run does not have');
  });
});
