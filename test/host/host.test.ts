import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logging.js';
import { createHost, type Feature } from '../../src/host/host.js';
import { captureLogs } from '../chat/slack/log-capture.js';

const logger = createLogger({ level: 'silent' });

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('host', () => {
  it('serves every feature route beside /healthz, and shuts down in order: intake, drain, close', async () => {
    const events: string[] = [];
    const job = deferred();
    const feature: Feature = {
      name: 'probe',
      register(host) {
        host.route({ method: 'GET', path: '/probe', handle: (_req, res) => void res.end('probe') });
        host.beforeStart(async () => void events.push('beforeStart'));
        host.worker({
          name: 'w',
          start: async () => void events.push('worker start'),
          stop: async () => void events.push('worker stop'),
        });
        host.onClose(async () => void events.push('close'));
        // Background work the feature promised someone (a diagnosis after an ack).
        host.work.track(
          job.promise.then(() => void events.push('work done')),
          () => undefined,
        );
      },
    };
    const host = createHost({ features: [feature], logger, port: 0, hostname: '127.0.0.1' });
    const { port } = await host.start();
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true, checks: {} });
    expect(await (await fetch(`http://127.0.0.1:${port}/probe`)).text()).toBe('probe');

    const stopped = host.stop();
    // Intake stops at once: the server refuses new connections while the work still runs.
    await expect.poll(() => events.includes('worker stop')).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(events).not.toContain('close');

    job.resolve();
    expect(await stopped).toEqual({ drained: true });
    expect(events).toEqual(['beforeStart', 'worker start', 'worker stop', 'work done', 'close']);
    // A second stop is the same stop.
    expect(await host.stop()).toEqual({ drained: true });
  });

  it("answers /readyz and /healthz from the features' probes: 503 with the detail when one fails", async () => {
    let slackUp = false;
    const feature: Feature = {
      name: 'probes',
      register(host) {
        host.readiness('slack', () =>
          slackUp ? { ok: true } : { ok: false, detail: 'auth.test has not succeeded yet' },
        );
        host.readiness('stuck', () => new Promise(() => undefined));
        host.liveness('slack-connection', () => ({ ok: slackUp, detail: 'down for 5 min' }));
      },
    };
    const host = createHost({ features: [feature], logger, port: 0, hostname: '127.0.0.1' });
    const { port } = await host.start();
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      ok: false,
      checks: {
        slack: { ok: false, detail: 'auth.test has not succeeded yet' },
        stuck: { ok: false, detail: 'no answer within 2000 ms' },
        accepting: { ok: true },
      },
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(503);
    slackUp = true;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await host.stop();
  });

  it('closes sources after the grace period even when work never finishes, and says it did not drain', async () => {
    const closed: string[] = [];
    const feature: Feature = {
      name: 'stuck',
      register(host) {
        host.work.track(new Promise(() => undefined), () => undefined);
        host.onClose(async () => void closed.push('sources'));
      },
    };
    const host = createHost({
      features: [feature],
      logger,
      port: 0,
      hostname: '127.0.0.1',
      graceMs: 30,
      lastWordsMs: 50,
    });
    await host.start();
    expect(await host.stop()).toEqual({ drained: false });
    expect(closed).toEqual(['sources']);
  });

  it('a worker whose stop hangs (a stalled Redis) does not delay the grace period of the work in flight', async () => {
    const events: string[] = [];
    const releaseWorker = deferred();
    const feature: Feature = {
      name: 'stalled',
      register(host) {
        host.worker({
          name: 'monitor',
          start: async () => undefined,
          stop: async () => {
            events.push('worker stopping');
            await releaseWorker.promise;
            events.push('worker stopped');
          },
        });
        // A diagnosis in flight: it says its last words when the grace period ends (the host interrupts it).
        host.work.track(
          new Promise<void>((resolve) =>
            host.work.interrupted.addEventListener('abort', () => (events.push('interrupted'), resolve())),
          ),
          () => undefined,
        );
        host.onClose(async () => void events.push('close'));
      },
    };
    const host = createHost({
      features: [feature],
      logger,
      port: 0,
      hostname: '127.0.0.1',
      graceMs: 30,
      lastWordsMs: 5000,
    });
    await host.start();
    const stopped = host.stop();

    // The work in flight is interrupted at the end of its grace period while the worker still stops.
    await expect.poll(() => events.includes('interrupted'), { timeout: 5000 }).toBe(true);
    expect(events).not.toContain('worker stopped');

    // The worker finishes stopping within the shutdown budget (grace + last words); the sources close after it.
    releaseWorker.resolve();
    expect(await stopped).toEqual({ drained: false });
    expect(events).toEqual(['worker stopping', 'interrupted', 'worker stopped', 'close']);
  });

  it('every phase of shutdown shares one deadline: a request, a worker, the work and a close hook that all hang end the stop at grace + last words', async () => {
    // Given: everything a stalled Redis can hold: a request being answered, the monitor's stop, a diagnosis
    // that ignores its interruption, and the close of its connection.
    const logs = captureLogs('info');
    const answering = deferred();
    const never = new Promise<void>(() => undefined);
    const feature: Feature = {
      name: 'stalled',
      register(host) {
        host.route({
          method: 'GET',
          path: '/slow',
          handle: async () => {
            answering.resolve();
            await never;
          },
        });
        host.worker({ name: 'monitor', start: async () => undefined, stop: () => never });
        host.work.track(never, () => undefined);
        host.onClose(() => never);
      },
    };
    const graceMs = 100;
    const lastWordsMs = 200;
    const host = createHost({
      features: [feature],
      logger: logs.logger,
      port: 0,
      hostname: '127.0.0.1',
      graceMs,
      lastWordsMs,
    });
    const { port } = await host.start();
    const request = fetch(`http://127.0.0.1:${port}/slow`).catch(() => 'cut');
    await answering.promise;

    // When: the host stops.
    const started = performance.now();
    const result = await Promise.race([
      host.stop(),
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000).unref()),
    ]);

    // Then: it is over by the one deadline (a generous margin for a loaded machine; before, each phase added
    // its own wait and the close hook none at all), having said what it left behind.
    expect(result).toEqual({ drained: false });
    expect(performance.now() - started).toBeLessThan(graceMs + lastWordsMs + 1500);
    expect(await request).toBe('cut');
    const messages = logs.lines.map((l) => l.msg as string);
    expect(messages).toEqual(
      expect.arrayContaining([
        'shutdown grace period over; interrupting the work still running',
        'interrupted work did not settle; closing with work unfinished',
        'not stopped within the shutdown budget; closing the sources under it',
        'closing the sources did not finish within the shutdown budget; leaving them to the exit',
      ]),
    );
    expect(logs.lines.find((l) => l.stopping)?.stopping).toEqual(['worker monitor']);
  });

  it('a worker gets the time that the work in flight did not use', async () => {
    // Given: nothing in flight, and a worker that takes 300 ms to stop, well within grace + last words.
    const events: string[] = [];
    const feature: Feature = {
      name: 'slow-stop',
      register(host) {
        host.worker({
          name: 'monitor',
          start: async () => undefined,
          stop: () => new Promise<void>((r) => setTimeout(() => (events.push('worker stopped'), r()), 300)),
        });
        host.onClose(async () => void events.push('close'));
      },
    };
    const host = createHost({
      features: [feature],
      logger,
      port: 0,
      hostname: '127.0.0.1',
      graceMs: 5000,
      lastWordsMs: 100,
    });
    await host.start();

    // When: the host stops. Then: the worker stops before the sources close under it.
    expect(await host.stop()).toEqual({ drained: true });
    expect(events).toEqual(['worker stopped', 'close']);
  });

  it('routes by the path alone: a query, dot segments and escapes reach the same route; other paths are 404, other methods 405', async () => {
    const feature: Feature = {
      name: 'paths',
      register: (host) =>
        host.route({ method: 'POST', path: '/alertmanager', handle: (_req, res) => void res.end('am') }),
    };
    const host = createHost({ features: [feature], logger, port: 0, hostname: '127.0.0.1' });
    const { port } = await host.start();
    try {
      const post = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: '{}' });
        return `${res.status} ${await res.text()}`;
      };
      expect(await post('/alertmanager')).toBe('200 am');
      expect(await post('/alertmanager?source=am-1')).toBe('200 am');
      expect(await post('/x/../alertmanager')).toBe('200 am');
      expect(await post('/%61lertmanager')).toBe('404 ');
      expect(await post('/alertmanager/')).toBe('404 ');
      expect(await post('//alertmanager')).toBe('404 ');
      expect((await fetch(`http://127.0.0.1:${port}/alertmanager`)).status).toBe(405);
    } finally {
      await host.stop();
    }
  });

  it('refuses a route registered twice at construction', () => {
    const dup: Feature = {
      name: 'dup',
      register: (h) => h.route({ method: 'GET', path: '/healthz', handle: () => undefined }),
    };
    expect(() => createHost({ features: [dup], logger, port: 0 })).toThrow(/duplicate HTTP route GET \/healthz/);
  });

  it('fails start-up when a worker cannot start, and stops what it had started', async () => {
    const events: string[] = [];
    const feature: Feature = {
      name: 'workers',
      register(host) {
        host.worker({
          name: 'a',
          start: async () => void events.push('a start'),
          stop: async () => void events.push('a stop'),
        });
        host.worker({
          name: 'b',
          start: async () => Promise.reject(new Error('socket refused')),
          stop: async () => undefined,
        });
      },
    };
    const host = createHost({ features: [feature], logger, port: 0, hostname: '127.0.0.1' });
    await expect(host.start()).rejects.toThrow('socket refused');
    expect(events).toEqual(['a start', 'a stop']);
  });

  it('does not listen when a before-start hook fails', async () => {
    const feature: Feature = {
      name: 'auth',
      register: (h) => h.beforeStart(async () => Promise.reject(new Error('invalid_auth'))),
    };
    const host = createHost({ features: [feature], logger, port: 0, hostname: '127.0.0.1' });
    await expect(host.start()).rejects.toThrow('invalid_auth');
  });
});
