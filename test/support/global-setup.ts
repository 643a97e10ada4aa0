import type { TestProject } from 'vitest/node';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

let server: RedisServerHandle | undefined;

/** Starts the suite's shared redis-server on a free loopback port; tests read its port with inject('redisPort'). */
export async function setup(project: TestProject): Promise<void> {
  server = await startRedisServer();
  project.provide('redisPort', server.port);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisPort: number;
  }
}
