import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { followOnce } from '../../../src/remediation/gitops/follow-pull-requests.js';
import { POLL_TURN_KEY, pollTurn } from '../../../src/remediation/gitops/poll-turn.js';
import { startFollowWorld, type FollowWorld } from './follow-harness.js';

let w: FollowWorld;
beforeAll(async () => {
  w = await startFollowWorld();
});
afterAll(() => w?.close());
beforeEach(() => w.reset());

describe('polling the GitOps requests with several replicas (one reads a round)', () => {
  it('three replicas looking in the same round read the Git host once; the next round, once again', async () => {
    // Given: an open request, and three replicas sharing the state store, each with its own turn (round 1 s)
    const pr = await w.open();
    const replicas = [w.replica(), w.replica(), w.replica()].map((deps) => ({
      ...deps,
      pollTurn: pollTurn(deps.store, 1000),
    }));

    // When: all three look at once
    await Promise.all(replicas.map((deps) => followOnce(deps)));

    // Then: the Git host was asked about the request once, not three times
    expect(w.reads(pr)).toBe(1);

    // And: the turn is a lease a little shorter than the round (900 ms of a 1 s round), so the next round is free
    const [turnKey] = await w.redis.keys(`*${POLL_TURN_KEY}`);
    const leaseMs = await w.redis.pttl(turnKey!);
    expect(leaseMs).toBeGreaterThan(0);
    expect(leaseMs).toBeLessThanOrEqual(900);
    // When the lease has run out (taken away here rather than waited for), the next round reads it once more
    await w.redis.del(turnKey!);
    await Promise.all(replicas.map((deps) => followOnce(deps)));
    expect(w.reads(pr)).toBe(2);
  });

  it('a merge is still announced once when it is another replica whose turn the round is', async () => {
    const pr = await w.open();
    const [a, b] = [w.replica(), w.replica()].map((deps) => ({ ...deps, pollTurn: pollTurn(deps.store, 60_000) }));
    expect(await followOnce(a!)).toBe(0);
    w.merge(pr);
    // b's round comes while a still holds the turn: b skips; a's next look (a new round) settles it
    expect(await followOnce(b!)).toBe(0);
    // (a's turn ends: the lease is gone, as after its round)
    for (const key of await w.redis.keys(`*${POLL_TURN_KEY}`)) await w.redis.del(key);
    expect(await followOnce(b!)).toBe(1);
    expect(w.posts(pr)).toHaveLength(1);
  });

  it('when the state store cannot answer, the replica reads anyway (more reads, never none)', async () => {
    const pr = await w.open();
    const deps = w.replica();
    const broken = { claim: () => Promise.reject(new Error('state store down')) };
    const turn = pollTurn({ ...deps.store, ...broken }, 60_000);
    expect(await followOnce({ ...deps, pollTurn: turn })).toBe(0);
    expect(w.reads(pr)).toBe(1);
  });
});
