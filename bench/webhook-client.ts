/**
 * The load generator of bench/webhook-latency.ts, in its own process so that its fetches do not share an
 * event loop with the bot it measures. Reads `{ url, token, bodies }` as JSON lines on stdin, sends each
 * burst at once and writes the sorted latencies (ms) as one JSON line per burst.
 */
import { createInterface } from 'node:readline';

for await (const line of createInterface({ input: process.stdin })) {
  const { url, token, bodies } = JSON.parse(line) as { url: string; token: string; bodies: string[] };
  const times = await Promise.all(
    bodies.map(async (body) => {
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      await res.text();
      if (res.status !== 200) throw new Error(`answered ${res.status}`);
      return performance.now() - t0;
    }),
  );
  process.stdout.write(`${JSON.stringify(times.sort((a, b) => a - b))}\n`);
}
