import { spawn } from 'node:child_process';

/** One command in the Redis protocol (RESP), as `redis-cli --pipe` reads it. */
function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

/** `session:000000000042`: the 12-digit form that `redis-benchmark -r` expands `__rand_int__` to. */
export const paddedSessionKey = (i: number) => `session:${String(i).padStart(12, '0')}`;

/**
 * Seeds `count` sessions through `redis-cli --pipe` (the fastest bulk load): JSON values with
 * `created_at`, written with the configured TTL and aged uniformly over `spreadSeconds`.
 * Keys are `session:<i>` unless `keyName` says otherwise; every `noTtlEvery`-th key (when set) is
 * written without a TTL, as a leaked session would be; `realistic` values are ~300-byte session
 * documents (user, timestamps, roles, a checkpoint thread id, client metadata) instead of ~70 bytes.
 */
export async function seedSessions(opts: {
  port: number;
  count: number;
  ttlSeconds: number;
  spreadSeconds: number;
  nowMs: number;
  keyName?: (i: number) => string;
  noTtlEvery?: number;
  realistic?: boolean;
}): Promise<{ replies: string }> {
  const child = spawn('redis-cli', ['-p', String(opts.port), '--pipe'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let replies = '';
  child.stdout.on('data', (d: Buffer) => (replies += d.toString()));
  const done = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
  const nowSec = Math.floor(opts.nowMs / 1000);
  const keyName = opts.keyName ?? ((i: number) => `session:${i}`);
  const CHUNK = 10_000;
  for (let start = 0; start < opts.count; start += CHUNK) {
    let text = '';
    for (let i = start; i < Math.min(opts.count, start + CHUNK); i++) {
      const age = i % opts.spreadSeconds;
      const value = opts.realistic
        ? JSON.stringify({
            session_id: `s-${(i * 2654435761) % 4294967296}`.padEnd(24, '0'),
            user_id: `user-${i % 9973}`,
            tenant: `tenant-${i % 37}`,
            created_at: nowSec - age,
            last_seen_at: nowSec - (age >> 1),
            roles: i % 11 === 0 ? ['member', 'admin'] : ['member'],
            thread_id: `thread-${(i * 40503) % 1000003}`,
            checkpoint_ns: 'langgraph',
            client: { ua: 'Mozilla/5.0 (X11; Linux x86_64)', ip: `10.${i % 250}.${(i >> 8) % 250}.${i % 200}` },
            flags: { mfa: i % 3 === 0, beta: i % 17 === 0 },
          })
        : `{"user_id":"user-${i % 9973}","created_at":${nowSec - age},"roles":["member"]}`;
      const persistent = opts.noTtlEvery !== undefined && i % opts.noTtlEvery === opts.noTtlEvery - 1;
      text += resp(
        persistent ? ['SET', keyName(i), value] : ['SET', keyName(i), value, 'EX', String(opts.ttlSeconds - age)],
      );
    }
    if (!child.stdin.write(text)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await done;
  if (code !== 0) throw new Error(`redis-cli --pipe exited with ${code}: ${replies}`);
  return { replies: replies.trim() };
}
