/**
 * The load generator of bench/webhook-latency.ts and bench/ack-latency.ts, in its own process so that
 * its work does not share an event loop with the server it measures. Reads one JSON line per burst on
 * stdin, `{ url, headers, bodies, concurrency? }`, and writes the latencies (ms, in send order) as one JSON
 * line per burst.
 *
 * Built to cost the measured server as little as possible and to measure only the server: requests are
 * pre-serialised HTTP/1.1 bytes written on keep-alive connections that were opened (again, when the
 * server closed them: node's keepAliveTimeout is 5 s) and accepted by the server before the clock starts,
 * one request in flight per connection, like Alertmanager's and Slack's own keep-alive clients. `fetch`
 * (undici) cost about 0.5 ms of client CPU per request, which at 200 at once queued the last answers
 * behind the client itself: the bare node:http baseline read 79 ms p50.
 * With `concurrency` below the number of bodies, each connection sends its next body as soon as its
 * answer arrived (a closed loop: that many in flight at all times).
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

interface Burst {
  url: string;
  headers: Record<string, string>;
  /** Each a body, or a body with headers of its own (a signed Slack request) added to `headers`. */
  bodies: (string | { body: string; headers: Record<string, string> })[];
  concurrency?: number;
}

/** One keep-alive connection; `onResponse` is called with the status when a whole response has arrived. */
interface Conn {
  socket: Socket;
  open: boolean;
  buffer: Buffer;
  onResponse?: (status: number) => void;
  onClose?: () => void;
}

const pools = new Map<string, Conn[]>();

/** The length of a chunked body starting at `from` (through its last chunk), or undefined while incomplete. */
function chunkedLength(buf: Buffer, from: number): number | undefined {
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const n = Number.parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    at = eol + 2 + n + 2;
    if (at > buf.length) return undefined;
    if (n === 0) return at - from;
  }
}

function openConn(host: string, port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const conn: Conn = { socket, open: false, buffer: Buffer.alloc(0) };
    socket.once('connect', () => {
      conn.open = true;
      resolve(conn);
    });
    socket.once('error', reject);
    socket.on('close', () => {
      conn.open = false;
      conn.onClose?.();
    });
    socket.on('data', (chunk: Buffer) => {
      conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
      for (;;) {
        const end = conn.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = conn.buffer.subarray(0, end).toString('latin1');
        const size = /\r\ntransfer-encoding:\s*chunked/i.test(head)
          ? chunkedLength(conn.buffer, end + 4)
          : Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (size === undefined || conn.buffer.length < end + 4 + size) return;
        conn.buffer = conn.buffer.subarray(end + 4 + size);
        const status = Number(head.slice(9, 12));
        const cb = conn.onResponse;
        conn.onResponse = undefined;
        cb?.(status);
      }
    });
  });
}

/** `n` open keep-alive connections to `url`'s origin (the server may have closed idle ones). */
async function pool(url: URL, n: number): Promise<Conn[]> {
  const key = url.host;
  const conns = (pools.get(key) ?? []).filter((c) => c.open);
  const opened = n - conns.length;
  while (conns.length < n) conns.push(await openConn(url.hostname, Number(url.port)));
  pools.set(key, conns);
  // The kernel completes a handshake before the server's event loop accepts the connection: give the server
  // time to accept what was opened, so that no burst pays for accepting connections and another does not.
  if (opened > 0) await new Promise((r) => setTimeout(r, 200));
  return conns;
}

function request(url: URL, headers: Record<string, string>, body: string): Buffer {
  const payload = Buffer.from(body);
  const lines = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    'connection: keep-alive',
    `content-length: ${payload.length}`,
  ];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]);
}

async function burst({ url: raw, headers, bodies, concurrency }: Burst): Promise<number[]> {
  const url = new URL(raw);
  const width = Math.min(concurrency ?? bodies.length, bodies.length);
  const conns = await pool(url, width);
  // Serialised before the clock starts.
  const requests = bodies.map((b) =>
    typeof b === 'string' ? request(url, headers, b) : request(url, { ...headers, ...b.headers }, b.body),
  );
  const times = new Array<number>(bodies.length);
  let next = 0;
  await Promise.all(
    conns.slice(0, width).map(
      (conn) =>
        new Promise<void>((resolve, reject) => {
          const sendNext = () => {
            const i = next++;
            if (i >= requests.length) return resolve();
            const t0 = performance.now();
            conn.onResponse = (status) => {
              times[i] = performance.now() - t0;
              if (status !== 200) return reject(new Error(`request ${i} answered ${status}`));
              sendNext();
            };
            conn.socket.write(requests[i] as Buffer);
          };
          conn.onClose = () => conn.onResponse && reject(new Error('the server closed a connection mid-request'));
          sendNext();
        }),
    ),
  );
  return times;
}

for await (const line of createInterface({ input: process.stdin })) {
  process.stdout.write(`${JSON.stringify(await burst(JSON.parse(line) as Burst))}\n`);
}
for (const conns of pools.values()) for (const c of conns) c.socket.destroy();
