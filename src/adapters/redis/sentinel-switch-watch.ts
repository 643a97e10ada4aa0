import { Redis } from 'ioredis';
import type { SentinelConnect } from './sentinel-options.js';

/** Closes the watch's connections. */
export interface SentinelSwitchWatch {
  close(): void;
}

/** `host:port` a client is connected to now, or undefined. */
export function connectedAddress(client: Redis): string | undefined {
  const s = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return s?.remoteAddress && s.remotePort ? `${s.remoteAddress}:${s.remotePort}` : undefined;
}

/**
 * Follows failovers of a Sentinel-managed master: subscribes to `+switch-master` on every sentinel and
 * calls `onSwitch(newMaster)` once per new master. ioredis' own `failoverDetector` reconnects on every
 * sentinel's announcement, and the sentinels announce the same switch about a second apart, so a client
 * that had already moved to the new master was dropped again (a second gap for one failover); here the
 * caller reconnects only a client that is not on the new master yet.
 */
export function watchSentinelSwitch(s: SentinelConnect, onSwitch: (master: string) => void): SentinelSwitchWatch {
  let last: string | undefined;
  const clients = s.sentinels.map(({ host, port }) => {
    const c = new Redis({
      host,
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
      disableClientInfo: true,
      ...(s.sentinelUsername !== undefined ? { username: s.sentinelUsername } : {}),
      ...(s.sentinelPassword !== undefined ? { password: s.sentinelPassword } : {}),
      ...(s.tls !== undefined ? { tls: s.tls } : {}),
    });
    // A sentinel that is down is retried; the others still announce.
    c.on('error', () => undefined);
    c.on('message', (_channel: string, text: string) => {
      const [name, , , ip, port] = text.split(' ');
      if (name !== s.name || !ip || !port) return;
      const master = `${ip}:${port}`;
      if (master === last) return;
      last = master;
      onSwitch(master);
    });
    c.subscribe('+switch-master').catch(() => undefined);
    return c;
  });
  return { close: () => clients.forEach((c) => c.disconnect()) };
}
