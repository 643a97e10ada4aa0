import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { IoReplyError } from './replies.js';

/** A RESP2 reply: integers as numbers, bulk and simple strings as Buffers (views of the socket's bytes). */
export type RespReply = number | Buffer | null | RespReply[] | RespReplyError;

/**
 * An error reply (`-NOPERM ...`), returned in place, not thrown: a pipeline reads on past it. It is an
 * ioredis `ReplyError`, so `classifyRedisError` reads it like any other reply.
 */
export class RespReplyError extends IoReplyError {
  override name = 'ReplyError';
}

/** Where and as whom to connect: what the node's ioredis client was opened with. */
export interface RespEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: ConnectionOptions;
  connectTimeoutMs?: number;
}

function bulkLength(arg: Buffer | string): number {
  const n = typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
  return 1 + String(n).length + 2 + n + 2;
}

/** Encodes one command (binary-safe arguments) as RESP. */
export function encodeCommand(args: readonly (Buffer | string)[]): Buffer {
  let size = 1 + String(args.length).length + 2;
  for (const a of args) size += bulkLength(a);
  const out = Buffer.allocUnsafe(size);
  let p = out.write(`*${args.length}\r\n`, 0, 'latin1');
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    p += out.write(`$${b.length}\r\n`, p, 'latin1');
    p += b.copy(out, p);
    p += out.write('\r\n', p, 'latin1');
  }
  return out;
}

/**
 * One socket speaking RESP2 with no per-command objects: a caller writes a batch of commands as one
 * buffer and awaits that many replies. Used where a pass over every key would otherwise allocate a
 * command, a promise and a reply array per key (ioredis pipelines).
 */
export class RespSocket {
  private buf: Buffer = Buffer.alloc(0);
  private waiting:
    { count: number; out: RespReply[]; resolve: (r: RespReply[]) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.drain();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(Object.assign(new Error('Connection is closed.'), { code: 'ECONNRESET' })));
  }

  /** Connects, authenticates and selects the db; rejects with the socket error or the AUTH/SELECT reply. */
  static async open(e: RespEndpoint): Promise<RespSocket> {
    const socket = e.tls
      ? tlsConnect({ host: e.host, port: e.port, ...(isIP(e.host) ? {} : { servername: e.host }), ...e.tls })
      : netConnect({ host: e.host, port: e.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
      }, e.connectTimeoutMs ?? 3000);
      socket.once(e.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const conn = new RespSocket(socket);
    try {
      if (e.password !== undefined) {
        const auth = e.username !== undefined ? ['AUTH', e.username, e.password] : ['AUTH', e.password];
        await conn.expectOk(auth);
      }
      if (e.db) await conn.expectOk(['SELECT', String(e.db)]);
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  private async expectOk(args: string[]): Promise<void> {
    this.write(encodeCommand(args));
    const [reply] = await this.next(1);
    if (reply instanceof RespReplyError) throw reply;
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  /** Resolves with the next `count` replies. One reader at a time. */
  next(count: number): Promise<RespReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { count, out: [], resolve, reject };
      this.drain();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private drain(): void {
    const w = this.waiting;
    if (!w) return;
    let pos = 0;
    while (w.out.length < w.count) {
      const parsed = parseReply(this.buf, pos);
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
}

/** Parses one reply at `pos`; undefined when the buffer does not hold all of it yet. */
export function parseReply(b: Buffer, pos: number): { value: RespReply; end: number } | undefined {
  const eol = b.indexOf(13, pos);
  if (eol < 0 || eol + 1 >= b.length) return undefined;
  const type = b[pos];
  const after = eol + 2;
  switch (type) {
    case 0x3a: // ':'
      return { value: Number(b.toString('latin1', pos + 1, eol)), end: after };
    case 0x2b: // '+'
      return { value: b.subarray(pos + 1, eol), end: after };
    case 0x2d: // '-'
      return { value: new RespReplyError(b.toString('utf8', pos + 1, eol)), end: after };
    case 0x24: {
      // '$'
      const len = Number(b.toString('latin1', pos + 1, eol));
      if (len < 0) return { value: null, end: after };
      if (after + len + 2 > b.length) return undefined;
      return { value: b.subarray(after, after + len), end: after + len + 2 };
    }
    case 0x2a: {
      // '*'
      const n = Number(b.toString('latin1', pos + 1, eol));
      if (n < 0) return { value: null, end: after };
      const items = new Array<RespReply>(n);
      let p = after;
      for (let i = 0; i < n; i++) {
        const item = parseReply(b, p);
        if (!item) return undefined;
        items[i] = item.value;
        p = item.end;
      }
      return { value: items, end: p };
    }
    default:
      throw new Error(`unexpected RESP type byte ${type}`);
  }
}
