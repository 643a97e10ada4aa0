import { createServer, type Server } from 'node:http';
import type { Route } from '../core/feature.js';
import type { Logger } from '../core/logging.js';

export type { Route } from '../core/feature.js';

export interface HttpServer {
  server: Server;
  /** Listens and resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops accepting connections and closes idle keep-alive ones; requests being answered get
   * `forceAfterMs` (default 5 s) to finish before their connections are cut.
   */
  close(forceAfterMs?: number): Promise<void>;
}

/** A plain path (no query, no dot segments, no escapes) is its own pathname; others go through URL. */
const PLAIN_PATH = /^\/[A-Za-z0-9_\-/]*$/;

function pathOf(url = '/'): string {
  return PLAIN_PATH.test(url) && !url.includes('//') ? url : new URL(url, 'http://localhost').pathname;
}

/**
 * A node:http server over a plain list of routes (exact path and method). A duplicate route fails at
 * start-up; an unknown path is 404, a known path with another method 405.
 */
export function createHttpServer(opts: { routes: readonly Route[]; logger: Logger }): HttpServer {
  const table = new Map<string, Route>();
  for (const r of opts.routes) {
    const key = `${r.method} ${r.path}`;
    if (table.has(key)) throw new Error(`duplicate HTTP route ${key}`);
    table.set(key, r);
  }
  const paths = new Set(opts.routes.map((r) => r.path));

  const server = createServer((req, res) => {
    const path = pathOf(req.url);
    const route = table.get(`${(req.method ?? 'GET').toUpperCase()} ${path}`);
    if (!route) {
      res.writeHead(paths.has(path) ? 405 : 404);
      res.end();
      return;
    }
    Promise.resolve()
      .then(() => route.handle(req, res))
      .catch((err: unknown) => {
        opts.logger.error({ path, err }, 'HTTP handler failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          // A TCP server's address is an AddressInfo (a string only for a pipe or socket path).
          if (address === null || typeof address === 'string') reject(new Error(`not listening on a port: ${address}`));
          else resolve(address.port);
        });
      }),
    close: (forceAfterMs = 5000) =>
      new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        const force = setTimeout(() => server.closeAllConnections(), forceAfterMs);
        force.unref();
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
