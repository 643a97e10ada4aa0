// The suite and the benchmark start a local Redis Cluster the same way.
export { startRedisCluster, type RedisClusterHandle, type StartClusterOptions } from './redis-cluster-process.js';
