// The per-environment gate's semaphore, driven with promises a test settles by hand (no clocks).
import { describe, expect, it } from 'vitest';
import { createKeyedLimiter, perKeyShare } from '../../src/core/keyed-limiter.js';
import { UserError } from '../../src/core/errors.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('createKeyedLimiter', () => {
  it('runs at most perKey of a key, queues the rest in order, and starts another key at once', async () => {
    const gate = createKeyedLimiter({ perKey: 2, global: 3 });
    const started: string[] = [];
    const work = new Map<string, ReturnType<typeof deferred>>();
    const run = (key: string, name: string) => {
      const d = deferred();
      work.set(name, d);
      return gate.run(key, async () => {
        started.push(name);
        await d.promise;
        return name;
      });
    };
    // Given: a is stalled with two running and two waiting.
    const a = ['a1', 'a2', 'a3', 'a4'].map((n) => run('a', n));
    await turn();
    expect(started).toEqual(['a1', 'a2']);
    expect(gate.load('a')).toEqual({ running: 2, queued: 2 });

    // When: b asks. Then: it starts at once (a holds 2 of 3 global slots, never all).
    const b = run('b', 'b1');
    await turn();
    expect(started).toEqual(['a1', 'a2', 'b1']);
    work.get('b1')!.resolve();
    expect(await b).toBe('b1');

    // When: a1 ends (even by throwing). Then: a3 takes its place, a4 still waits.
    work.get('a1')!.reject(new Error('boom'));
    await expect(a[0]).rejects.toThrow('boom');
    await turn();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(gate.load('a')).toEqual({ running: 2, queued: 1 });
    for (const n of ['a2', 'a3', 'a4']) work.get(n)!.resolve();
    expect(await Promise.all(a.slice(1))).toEqual(['a2', 'a3', 'a4']);
    expect(gate.load('a')).toEqual({ running: 0, queued: 0 });
  });

  it('refuses at once beyond maxQueuedPerKey, with a UserError naming the key', async () => {
    const gate = createKeyedLimiter({ perKey: 1, global: 2, maxQueuedPerKey: 1 });
    const d = deferred();
    const running = gate.run('a', () => d.promise);
    const waiting = gate.run('a', async () => 'later');
    const refused = await gate.run('a', async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toBe(
      '"a" is busy: 1 running and 1 waiting already. Try again when they are done.',
    );
    d.resolve();
    await running;
    expect(await waiting).toBe('later');
  });

  it('keeps the global cap above perKey, so one key never takes every slot', async () => {
    const gate = createKeyedLimiter({ perKey: 4, global: 4 });
    const hold = deferred();
    for (let i = 0; i < 4; i++) void gate.run('a', () => hold.promise);
    expect(await gate.run('b', async () => 'b ran')).toBe('b ran');
    hold.resolve();
  });

  it('perKeyShare gives one key at most half of the slots', async () => {
    const limit = perKeyShare(4);
    const hold = deferred();
    const started: number[] = [];
    for (let i = 0; i < 3; i++) void limit(async () => (started.push(i), hold.promise), 'a');
    await turn();
    expect(started).toEqual([0, 1]);
    expect(await limit(async () => 'b ran', 'b')).toBe('b ran');
    hold.resolve();
  });
});
