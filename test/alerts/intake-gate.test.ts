import { describe, expect, it } from 'vitest';
import { createIntakeGate } from '../../src/host/intake-gate.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the intake gate: the work behind the webhook waits until its requests are answered', () => {
  it('starts no work while requests keep arriving, and all of it once they stopped for quietMs', async () => {
    // The gate's clock is the test's: a loaded machine that stretches a 10 ms pause cannot open it early.
    let clock = 0;
    const gate = createIntakeGate({ quietMs: 40, maxDelayMs: 10_000, now: () => clock });
    const limit = gate.limiter(8);
    const started: number[] = [];
    gate.arrived();
    const work = [1, 2, 3].map((i) => limit(async () => void started.push(i)));
    // Requests keep arriving every 10 ms (of the gate's clock) for 100 ms: nothing starts meanwhile.
    for (let i = 0; i < 10; i++) {
      await pause(10);
      clock += 10;
      gate.arrived();
      expect(started).toEqual([]);
    }
    // Quiet for quietMs: all of it starts.
    clock += 40;
    await Promise.all(work);
    expect(started).toEqual([1, 2, 3]);
  });

  it('starts waiting work after maxDelayMs even when requests never stop (no starvation)', async () => {
    const gate = createIntakeGate({ quietMs: 50, maxDelayMs: 60 });
    const limit = gate.limiter(1);
    let done = false;
    gate.arrived();
    const work = limit(async () => void (done = true));
    const t0 = performance.now();
    while (!done && performance.now() - t0 < 2000) {
      gate.arrived();
      await pause(5);
    }
    await work;
    expect(done).toBe(true);
  });

  it('runs at most max at a time, in arrival order, one start per macrotask', async () => {
    const gate = createIntakeGate({ quietMs: 0 });
    const limit = gate.limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    // An I/O callback queued now runs before the second start: starts are spread over macrotasks.
    let ioRanBetween = false;
    const work = Array.from({ length: 6 }, (_, i) =>
      limit(async () => {
        if (i === 1) ioRanBetween = immediateRan;
        order.push(i);
        running++;
        peak = Math.max(peak, running);
        await pause(5);
        running--;
      }),
    );
    let immediateRan = false;
    setImmediate(() => void (immediateRan = true));
    await Promise.all(work);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(ioRanBetween).toBe(true);
  });
});
