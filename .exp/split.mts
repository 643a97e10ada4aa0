import { Redis } from 'ioredis';
import { AUDIT_SCRIPT, auditScriptArgs, parseAuditReply } from '../src/adapters/redis/audit-script.js';
import { seedSessions } from '../bench/seed-sessions.js';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

const port = 26999;
const srv = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await delay(300);
const c = new Redis({ port, lazyConnect: false });
const N = Number(process.env.N ?? 1_000_000);
await seedSessions({ port, count: N, ttlSeconds: 86400, spreadSeconds: 3600, nowMs: Date.now() });
console.log('dbsize', await c.dbsize());
const layout = { aboveMs: 86_400_000 + 864_000, histogram: { minSeconds: 1, logRatio: Math.log(1.1), bins: 200 }, bucketEdgesSeconds: [60, 300, 900, 3600, 14400, 43200, 86400] };
const sha = String(await c.script('LOAD', AUDIT_SCRIPT));
async function cpu() { const i = await c.info('cpu'); const g = (k: string) => Number(new RegExp(k + ':([0-9.]+)').exec(i)![1]); return (g('used_cpu_user') + g('used_cpu_sys')) * 1000; }
async function stream(start: string, stopOdd: boolean, count: number) {
  let cursor = start; let scanned = 0; let batches = 0;
  do {
    const reply = await c.callBuffer('EVALSHA', sha, '0', ...auditScriptArgs(cursor, 'session:*', count, layout, { noExpiry: 5, above: 5 }));
    const r = parseAuditReply(reply); cursor = r.cursor; scanned += r.counts.scanned; batches++;
    if (stopOdd && (BigInt(cursor) & 1n) === 1n) break;
  } while (cursor !== '0');
  return { scanned, batches };
}
for (const count of [1000, 2000]) for (const mode of ['one', 'split', 'one', 'split']) {
  const cpu0 = await cpu(); const t0 = performance.now(); const b0 = process.cpuUsage();
  let scanned = 0;
  if (mode === 'one') scanned = (await stream('0', false, count)).scanned;
  else { const [a, b] = await Promise.all([stream('0', true, count), stream('1', false, count)]); scanned = a.scanned + b.scanned; }
  const wall = performance.now() - t0; const rc = (await cpu()) - cpu0; const bc = process.cpuUsage(b0);
  console.log(mode, count, 'scanned', scanned, 'wall', wall.toFixed(0), 'redisCpu', rc.toFixed(0), 'ratio', (wall / rc).toFixed(3), 'bot/redis', (((bc.user + bc.system) / 1000) / rc).toFixed(3));
}
c.disconnect(); srv.kill();
