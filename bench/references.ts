/**
 * The reference audits, one per process so that its CPU time and peak RSS are its own:
 *
 *   node references.js <mode> <port> [pattern]
 *
 *   list   ioredis `SCAN ... COUNT 1000`, listing only (half of the same-run baseline)
 *   naive  ioredis SCAN, then one pipeline of PTTL per batch (what a first version writes)
 *   lean   SCAN + PTTL written as raw RESP on one socket; each batch's PTTLs go out with the next SCAN
 *   lua    one EVAL per SCAN batch: the script SCANs and reads the TTLs inside Redis and returns only
 *          counts and histogram buckets (never key names)
 *
 * Prints one JSON line: { mode, keys, noTtl, workMs }. Every mode must report the same keys/noTtl.
 */
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';

const COUNT = 1000;
const [mode, portArg, patternArg] = process.argv.slice(2);
const port = Number(portArg);
const pattern = patternArg ?? 'session:*';

interface Result {
  keys: number;
  noTtl: number;
}

async function listOnly(): Promise<Result> {
  const client = new Redis({ port, host: '127.0.0.1' });
  let cursor = '0';
  let keys = 0;
  do {
    const [next, batch] = await client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', COUNT);
    cursor = next.toString();
    keys += batch.length;
  } while (cursor !== '0');
  client.disconnect();
  return { keys, noTtl: NaN };
}

async function naive(): Promise<Result> {
  const client = new Redis({ port, host: '127.0.0.1' });
  let cursor = '0';
  let keys = 0;
  let noTtl = 0;
  do {
    const [next, batch] = await client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', COUNT);
    cursor = next.toString();
    if (batch.length > 0) {
      const pipe = client.pipeline();
      for (const k of batch) pipe.pttl(k);
      const replies = (await pipe.exec()) ?? [];
      for (const [err, ttl] of replies) {
        if (err) continue;
        keys++;
        if (ttl === -1) noTtl++;
      }
    }
  } while (cursor !== '0');
  client.disconnect();
  return { keys, noTtl };
}

// --- lean: a minimal RESP reader over one socket ---------------------------------------------

type Reply = number | Buffer | null | Reply[] | Error;

class RespReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { count: number; out: Reply[]; resolve: (r: Reply[]) => void } | undefined;
  constructor(socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.drain();
    });
  }
  /** Resolves with the next `count` replies. */
  next(count: number): Promise<Reply[]> {
    return new Promise((resolve) => {
      this.waiting = { count, out: [], resolve };
      this.drain();
    });
  }
  private drain() {
    const w = this.waiting;
    if (!w) return;
    let pos = 0;
    while (w.out.length < w.count) {
      const parsed = this.parse(pos);
      if (!parsed) break;
      w.out.push(parsed.value);
      pos = parsed.end;
    }
    this.buf = this.buf.subarray(pos);
    if (w.out.length === w.count) {
      this.waiting = undefined;
      w.resolve(w.out);
    }
  }
  private parse(pos: number): { value: Reply; end: number } | undefined {
    const b = this.buf;
    const eol = b.indexOf(13, pos);
    if (eol < 0 || eol + 1 >= b.length) return undefined;
    const type = b[pos];
    const line = b.toString('latin1', pos + 1, eol);
    const after = eol + 2;
    switch (type) {
      case 0x3a: // ':'
        return { value: Number(line), end: after };
      case 0x2b: // '+'
        return { value: Buffer.from(line), end: after };
      case 0x2d: // '-'
        return { value: new Error(line), end: after };
      case 0x24: {
        // '$'
        const len = Number(line);
        if (len < 0) return { value: null, end: after };
        if (after + len + 2 > b.length) return undefined;
        return { value: b.subarray(after, after + len), end: after + len + 2 };
      }
      case 0x2a: {
        // '*'
        const n = Number(line);
        const items: Reply[] = [];
        let p = after;
        for (let i = 0; i < n; i++) {
          const item = this.parse(p);
          if (!item) return undefined;
          items.push(item.value);
          p = item.end;
        }
        return { value: items, end: p };
      }
      default:
        throw new Error(`unexpected RESP type byte ${type}`);
    }
  }
}

const bulk = (a: Buffer | string) => {
  const b = typeof a === 'string' ? Buffer.from(a) : a;
  return [Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')];
};
const command = (...args: (Buffer | string)[]) =>
  Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.flatMap(bulk)]);

/** `PTTL <key>` for every key (binary-safe) plus an optional trailing command, in one buffer. */
function pttlBatch(keys: Buffer[], tail: Buffer | undefined): Buffer {
  let size = tail?.length ?? 0;
  for (const k of keys) size += 14 + 1 + String(k.length).length + 2 + k.length + 2;
  const out = Buffer.allocUnsafe(size);
  let p = 0;
  for (const k of keys) {
    p += out.write('*2\r\n$4\r\nPTTL\r\n$', p, 'latin1');
    p += out.write(`${k.length}\r\n`, p, 'latin1');
    p += k.copy(out, p);
    p += out.write('\r\n', p, 'latin1');
  }
  if (tail) p += tail.copy(out, p);
  return out.subarray(0, p);
}

async function lean(): Promise<Result> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  const reader = new RespReader(socket);
  let keys = 0;
  let noTtl = 0;
  socket.write(command('SCAN', '0', 'MATCH', pattern, 'COUNT', String(COUNT)));
  let [scan] = await reader.next(1);
  for (;;) {
    const [cursor, batch] = scan as [Buffer, Buffer[]];
    const more = cursor.toString() !== '0';
    // This batch's PTTLs and the next SCAN leave in one write: one round trip per batch.
    const out = pttlBatch(batch, more ? command('SCAN', cursor, 'MATCH', pattern, 'COUNT', String(COUNT)) : undefined);
    const expected = batch.length + (more ? 1 : 0);
    if (expected === 0) break;
    socket.write(out);
    const replies = await reader.next(expected);
    for (let i = 0; i < batch.length; i++) {
      const ttl = replies[i];
      if (typeof ttl !== 'number' || ttl === -2) continue;
      keys++;
      if (ttl === -1) noTtl++;
    }
    if (!more) break;
    scan = replies[batch.length];
  }
  socket.end();
  return { keys, noTtl };
}

// --- lua: counts and histogram from a script per SCAN batch ----------------------------------

/** Buckets of remaining TTL: none, <1 min, <10 min, <1 h, <1 day, >=1 day. Returns [cursor, keys, ...buckets]. */
export const HISTOGRAM_SCRIPT = `
local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local h = {0, 0, 0, 0, 0, 0}
local n = 0
for _, k in ipairs(r[2]) do
  local t = redis.call('PTTL', k)
  if t ~= -2 then
    n = n + 1
    if t == -1 then h[1] = h[1] + 1
    elseif t < 60000 then h[2] = h[2] + 1
    elseif t < 600000 then h[3] = h[3] + 1
    elseif t < 3600000 then h[4] = h[4] + 1
    elseif t < 86400000 then h[5] = h[5] + 1
    else h[6] = h[6] + 1 end
  end
end
return {r[1], n, h[1], h[2], h[3], h[4], h[5], h[6]}
`;

async function lua(): Promise<Result> {
  const client = new Redis({ port, host: '127.0.0.1' });
  const sha = (await client.script('LOAD', HISTOGRAM_SCRIPT)) as string;
  let cursor = '0';
  let keys = 0;
  let noTtl = 0;
  do {
    const r = (await client.evalsha(sha, 0, cursor, pattern, String(COUNT))) as [string, number, number];
    cursor = String(r[0]);
    keys += r[1];
    noTtl += r[2];
  } while (cursor !== '0');
  client.disconnect();
  return { keys, noTtl };
}

const modes: Record<string, () => Promise<Result>> = { list: listOnly, naive, lean, lua };
const run = modes[mode ?? ''];
if (!run || !Number.isInteger(port)) {
  console.error(`usage: references <${Object.keys(modes).join('|')}> <port> [pattern]`);
  process.exit(2);
}
const t0 = performance.now();
const result = await run();
process.stdout.write(`${JSON.stringify({ mode, ...result, workMs: Math.round(performance.now() - t0) })}\n`);
