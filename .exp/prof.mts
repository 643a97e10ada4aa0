import { spawn, execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { seedSessions } from '../bench/seed-sessions.js';
const port = 26997;
const srv = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await delay(300);
await seedSessions({ port, count: 1_000_000, ttlSeconds: 86400, spreadSeconds: 3000, nowMs: Date.now(), noTtlEvery: 50, realistic: true });
const fs = await import('node:fs');
fs.writeFileSync('/tmp/exp/cfg2.yaml', fs.readFileSync('/tmp/exp/cfg.yaml', 'utf8').replace(/26998/, String(port)));
try { execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/exp/prof', 'dist/cli.js', 'diagnose', 'bench', '--config', '/tmp/exp/cfg2.yaml', '--json', '--full', '--fast'], { encoding: 'utf8' }); } catch {}
srv.kill();
