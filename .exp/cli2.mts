import { Redis } from 'ioredis';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { seedSessions } from '../bench/seed-sessions.js';
const port = 26996;
const srv = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await delay(300);
const c = new Redis({ port });
await seedSessions({ port, count: 1_000_000, ttlSeconds: 86400, spreadSeconds: 3000, nowMs: Date.now(), noTtlEvery: 50, realistic: true });
const fs = await import('node:fs');
fs.writeFileSync('/tmp/exp/cfg3.yaml', fs.readFileSync('/tmp/exp/cfg.yaml', 'utf8').replace(/26998/, String(port)));
async function cpu() { const i = await c.info('cpu'); const g = (k: string) => Number(new RegExp(k + ':([0-9.]+)').exec(i)![1]); return (g('used_cpu_user') + g('used_cpu_sys')) * 1000; }
for (let i = 0; i < 3; i++) {
  const c0 = await cpu();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'diagnose', 'bench', '--config', '/tmp/exp/cfg3.yaml', '--json', '--full', '--fast', ...(process.env.EXTRA ? process.env.EXTRA.split(' ') : [])], { encoding: 'utf8' });
  const rc = (await cpu()) - c0;
  const a = JSON.parse(r.stdout).findings.find((f: any) => f.id === 'ttl.distribution').evidence.audit;
  console.log('pass', a.durationMs, 'botCpu', a.cpuMs, 'redisCpu', rc.toFixed(0), 'ratio', (a.durationMs / rc).toFixed(3), r.stderr.trim().split('\n').filter(l => l.includes('think')).join(' '));
}
c.disconnect(); srv.kill();
