import type { Route } from './http-server.js';

/** `GET /healthz`: 200 while the process serves requests. */
export function healthRoute(): Route {
  return {
    method: 'GET',
    path: '/healthz',
    handle: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    },
  };
}
