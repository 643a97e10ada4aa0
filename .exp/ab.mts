import { Redis } from 'ioredis';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { seedSessions } from '../bench/seed-sessions.js';
const port = 26995;
const srv = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await delay(300);
const c = new Redis({ port });
await seedSessions({ port, count: 1_000_000, ttlSeconds: 86400, spreadSeconds: 3000, nowMs: Date.now(), noTtlEvery: 50, realistic: true });
const fs = await import('node:fs');
fs.writeFileSync('/tmp/exp/cfg4.yaml', fs.readFileSync('/tmp/exp/cfg.yaml', 'utf8').replace(/26998/, String(port)));
async function cpu() { const i = await c.info('cpu'); const g = (k: string) => Number(new RegExp(k + ':([0-9.]+)').exec(i)![1]); return (g('used_cpu_user') + g('used_cpu_sys')) * 1000; }
for (let i = 0; i < 3; i++) {
  for (const mode of ['raw', 'cli']) {
    const c0 = await cpu(); let pass = 0;
    if (mode === 'cli') {
      const r = spawnSync(process.execPath, ['dist/cli.js', 'diagnose', 'bench', '--config', '/tmp/exp/cfg4.yaml', '--json', '--full', '--fast'], { encoding: 'utf8' });
      pass = JSON.parse(r.stdout).findings.find((f: any) => f.id === 'ttl.distribution').evidence.audit.durationMs;
    } else {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '.exp/raw.mts', String(port)], { encoding: 'utf8' });
      pass = Number(r.stdout.trim());
    }
    const rc = (await cpu()) - c0;
    console.log(mode, 'pass', pass.toFixed(0), 'redisCpu', rc.toFixed(0), 'ratio', (pass / rc).toFixed(3), (await import('node:os')).loadavg()[0].toFixed(1));
  }
}
c.disconnect(); srv.kill();
