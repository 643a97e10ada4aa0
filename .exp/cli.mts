import { Redis } from 'ioredis';
import { seedSessions } from '../bench/seed-sessions.js';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
const port = 26998;
const srv = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await delay(300);
const c = new Redis({ port });
await seedSessions({ port, count: 1_000_000, ttlSeconds: 86400, spreadSeconds: 3000, nowMs: Date.now(), noTtlEvery: 50, realistic: true });
writeFileSync('/tmp/exp/cfg.yaml', ['environments:', '  bench:', '    profile: development', '    expectedTtlSeconds: 86400', '    slidingWindow: false', '    redis:', `      url: redis://127.0.0.1:${port}`, '      keyPattern: "session:*"', ''].join('\n'));
async function cpu() { const i = await c.info('cpu'); const g = (k: string) => Number(new RegExp(k + ':([0-9.]+)').exec(i)![1]); return (g('used_cpu_user') + g('used_cpu_sys')) * 1000; }
for (let i = 0; i < Number(process.env.ROUNDS ?? 3); i++) {
  const c0 = await cpu();
  let out = '';
  try { out = execFileSync(process.execPath, ['dist/cli.js', 'diagnose', 'bench', '--config', '/tmp/exp/cfg.yaml', '--json', '--full', '--fast'], { encoding: 'utf8' }); } catch (e: any) { out = e.stdout; }
  const rc = (await cpu()) - c0;
  const rep = JSON.parse(out);
  const a = rep.findings.find((f: any) => f.id === 'ttl.distribution').evidence.audit;
  console.log('pass', a.durationMs, 'botCpu', a.cpuMs, 'redisCpu', rc.toFixed(0), 'ratio', (a.durationMs / rc).toFixed(3), 'bot/redis', (a.cpuMs / rc).toFixed(3), a.paths?.map((p: any) => p.path).join(','));
}
c.disconnect(); srv.kill();
