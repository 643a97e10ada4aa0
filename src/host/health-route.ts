import type { Probe, Route } from '../core/feature.js';

/** Runs the probes (each bounded by `timeoutMs`) and answers 200 when all are ok, else 503, with the detail as JSON. */
export function probeRoute(path: string, probes: ReadonlyMap<string, Probe>, timeoutMs = 2000): Route {
  return {
    method: 'GET',
    path,
    async handle(_req, res) {
      const results = await Promise.all(
        [...probes].map(async ([name, probe]) => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<{ ok: false; detail: string }>((r) => {
            timer = setTimeout(() => r({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
          });
          try {
            const result = await Promise.race([Promise.resolve().then(probe), timeout]);
            return [name, result] as const;
          } catch (err) {
            return [name, { ok: false, detail: err instanceof Error ? err.message : String(err) }] as const;
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      const ok = results.every(([, r]) => r.ok);
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ ok, checks: Object.fromEntries(results) })}\n`);
    },
  };
}
