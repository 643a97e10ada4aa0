import { spawn } from 'node:child_process';

/** One command in the Redis protocol (RESP), as `redis-cli --pipe` reads it. */
function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

/**
 * Seeds `count` sessions `session:<i>` through `redis-cli --pipe` (the fastest bulk load): JSON
 * values with `created_at`, written with the configured TTL and aged uniformly over `spreadSeconds`.
 */
export async function seedSessions(opts: {
  port: number;
  count: number;
  ttlSeconds: number;
  spreadSeconds: number;
  nowMs: number;
}): Promise<{ replies: string }> {
  const child = spawn('redis-cli', ['-p', String(opts.port), '--pipe'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let replies = '';
  child.stdout.on('data', (d: Buffer) => (replies += d.toString()));
  const done = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
  const nowSec = Math.floor(opts.nowMs / 1000);
  const CHUNK = 10_000;
  for (let start = 0; start < opts.count; start += CHUNK) {
    let text = '';
    for (let i = start; i < Math.min(opts.count, start + CHUNK); i++) {
      const age = i % opts.spreadSeconds;
      const value = `{"user_id":"user-${i % 9973}","created_at":${nowSec - age},"roles":["member"]}`;
      text += resp(['SET', `session:${i}`, value, 'EX', String(opts.ttlSeconds - age)]);
    }
    if (!child.stdin.write(text)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await done;
  if (code !== 0) throw new Error(`redis-cli --pipe exited with ${code}: ${replies}`);
  return { replies: replies.trim() };
}
