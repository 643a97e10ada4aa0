// The suite and the benchmark start a local Redis Cluster the same way.
export {
  startRedisCluster,
  type RedisClusterHandle,
  type StartClusterOptions,
} from '../../src/demo/redis-cluster-process.js';
