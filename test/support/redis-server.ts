// The suite, the demo and the benchmark start redis-server the same way.
export {
  freePort,
  redisServerAvailable,
  startRedisServer,
  type RedisServerHandle,
} from '../../src/demo/redis-process.js';
