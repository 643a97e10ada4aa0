import type { Redis } from 'ioredis';
import { connectRedis, IoRedisNode, type RedisConnectOptions } from './redis-node.js';

/** One node on a connection that is replaced once it has given up (status `end`), unless closed. */
export class HeldNode {
  private client: Redis | undefined;
  private current: IoRedisNode | undefined;

  constructor(
    private readonly options: RedisConnectOptions,
    private readonly blockedBy: string | undefined,
  ) {}

  node(): IoRedisNode {
    if (!this.client || !this.current || this.client.status === 'end') {
      this.client = connectRedis(this.options);
      this.current = new IoRedisNode(this.client, this.blockedBy);
    }
    return this.current;
  }

  close(): void {
    this.client?.disconnect();
  }
}
