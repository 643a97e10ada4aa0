// The apply journal (issue 19): the intent and each step in the state store, behind a lease that another
// replica takes over only once its holder stopped renewing it, and then only one replica.
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../../src/remediation/changes.js';
import { createApplyJournals } from '../../src/remediation/journal.js';
import { storeKinds, testClock } from './state-stores.js';

const REDIS: Change = {
  kind: 'redis-config',
  node: '10.0.0.5:6379',
  parameter: 'maxmemory-policy',
  before: 'allkeys-lru',
  after: 'volatile-lru',
};
const CM: Change = {
  kind: 'configmap',
  namespace: 'ns',
  name: 'redis-session-config',
  key: 'redis.conf',
  before: 'a',
  after: 'b',
  diff: [],
  resourceVersion: '7',
};
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const actor = { userId: 'U1', teamId: 'T1', channelId: 'C1' };

describe.each(storeKinds())('apply journal in the $name state store', (kind) => {
  afterEach(() => kind.close());

  it('keeps the intent and each step; a live holder is not taken over, a dead one by exactly one replica', async () => {
    const clock = testClock();
    const holder = createApplyJournals({ store: await kind.open(clock.now), now: clock.now, leaseMs: 30_000 });
    const replicas = [
      createApplyJournals({ store: await kind.replica(), now: clock.now, leaseMs: 30_000 }),
      createApplyJournals({ store: await kind.replica(), now: clock.now, leaseMs: 30_000 }),
    ];
    // Given: an apply that wrote its intent and finished its first step.
    const lease = await holder.begin({
      id: ID,
      env: 'prod',
      action: 'set-eviction-policy',
      actor,
      changes: [REDIS, CM],
    });
    await holder.steps(ID).record(REDIS, 'started');
    await holder.steps(ID).record(REDIS, 'done');
    await holder.steps(ID).record(CM, 'started');
    expect((await holder.read(ID))?.steps.map((s) => s.state)).toEqual(['done', 'started']);

    // Then: while its holder renews the lease, no replica takes it over.
    expect(await replicas[0]?.takeOverStale()).toEqual([]);

    // When: the holder dies (its lease is gone) and two replicas look at once.
    await lease.release();
    const taken = (await Promise.all(replicas.map((r) => r.takeOverStale()))).flat();

    // Then: exactly one takes it, with the steps as recorded.
    expect(taken).toHaveLength(1);
    expect(taken[0]?.journal.steps.map((s) => s.state)).toEqual(['done', 'started']);
    await taken[0]?.lease.release();
  });
});
