import { Redis } from 'ioredis';

/**
 * The least a diagnosis must read, as issue 18 item 11 measures it: one connection, INFO, CONFIG GET
 * maxmemory-policy, then the remaining TTLs of `keys` session keys by SCAN COUNT 50, each batch's PTTLs in one
 * pipeline, one request at a time. What it evicts on a Redis at its limit is the floor a diagnosis is held to.
 */
export async function minimalReader(url: string, keys = 1000): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.info();
    await client.config('GET', 'maxmemory-policy');
    let cursor = '0';
    let read = 0;
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', 'session:*', 'COUNT', 50);
      cursor = next;
      const p = client.pipeline();
      for (const key of batch) p.pttl(key);
      await p.exec();
      read += batch.length;
    } while (cursor !== '0' && read < keys);
  } finally {
    client.disconnect();
  }
}
