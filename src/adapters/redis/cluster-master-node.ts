import type { Cluster } from 'ioredis';
import type {
  KeyName,
  KeyspaceAuditRequest,
  KeyspaceAuditResult,
  Pttl,
  RedisNodePort,
} from '../../core/ports/session-store.js';
import { classifyRedisError, RedisSourceError, replyPrefix } from './redis-error.js';
import type { IoRedisNode } from './redis-node.js';

/** Counts the reads the masters redirected since the diagnosis began (reset by the store's refresh). */
export interface RedirectCounter {
  redirects: number;
}

const isRedirect = (err: unknown) => err instanceof RedisSourceError && err.kind === 'cluster_redirect';
const redirected = (err: unknown) => {
  const prefix = replyPrefix(err);
  return prefix === 'MOVED' || prefix === 'ASK';
};

/**
 * One master of a Redis Cluster as the checks see it. Everything goes to that master's own connection
 * (INFO, CONFIG and SCAN are per master), except a key the master no longer holds: when a slot migrates
 * during a scan, the master answers PTTL or GET of a key it just listed with MOVED or ASK, and the key
 * is then read through the cluster client, which follows the redirect. Such reads are counted, so the
 * report can say that the scan crossed a slot migration.
 */
export class ClusterMasterNode implements RedisNodePort {
  readonly address: string;

  constructor(
    private readonly node: IoRedisNode,
    private readonly cluster: Cluster,
    private readonly counter: RedirectCounter,
  ) {
    this.address = node.address;
  }

  info(section: string): Promise<Record<string, string>> {
    return this.node.info(section);
  }

  configGet(name: string): Promise<string | undefined> {
    return this.node.configGet(name);
  }

  scan(pattern: string, count: number): AsyncIterable<KeyName[]> {
    return this.node.scan(pattern, count);
  }

  time(): Promise<number> {
    return this.node.time();
  }

  /**
   * A full audit's counting pass runs on this master alone (its own keys, counted inside Redis): a key
   * that moves to another master meanwhile may be counted twice or not at all, which the slot-map
   * evidence of the report says.
   */
  auditKeyspace(req: KeyspaceAuditRequest): Promise<KeyspaceAuditResult> {
    return this.node.auditKeyspace(req);
  }

  keyspace(): Promise<{ keys: number; expires: number }> {
    return this.node.keyspace();
  }

  async pttl(keys: readonly (KeyName | string)[]): Promise<Pttl[]> {
    try {
      return await this.node.pttl(keys);
    } catch (err) {
      if (!isRedirect(err)) throw err;
    }
    // The batch met a moved slot: read it again, each redirected key through the cluster client.
    const moved = await this.redirectedKeys(keys, (p, k) => p.pttl(k));
    const viaCluster = (k: KeyName | string) => this.viaCluster('PTTL', () => this.cluster.pttl(k));
    const own = keys.filter((_, i) => !moved.has(i));
    // The migration may move more keys meanwhile: then the rest goes through the cluster client too.
    const ownTtls = await this.node.pttl(own).catch((err: unknown) => {
      if (isRedirect(err)) return Promise.all(own.map(viaCluster));
      throw err;
    });
    let j = 0;
    // A reply missing from the master's own batch reads as a key gone (-2), as in scan-with-ttls.ts.
    return Promise.all(keys.map(async (k, i) => (moved.has(i) ? viaCluster(k) : (ownTtls[j++] ?? -2))));
  }

  async readValues(keys: readonly (KeyName | string)[]): Promise<(string | Record<string, string> | undefined)[]> {
    try {
      return await this.node.readValues(keys);
    } catch (err) {
      if (!isRedirect(err)) throw err;
    }
    const moved = await this.redirectedKeys(keys, (p, k) => p.pttl(k));
    const own = keys.filter((_, i) => !moved.has(i));
    const ownValues = await this.node.readValues(own).catch((err: unknown) => {
      if (isRedirect(err)) return Promise.all(own.map((k) => this.valueViaCluster(k)));
      throw err;
    });
    let j = 0;
    return Promise.all(keys.map(async (k, i) => (moved.has(i) ? this.valueViaCluster(k) : ownValues[j++])));
  }

  /** Indexes of the keys this master redirects now (one pipelined probe), counted. */
  private async redirectedKeys(
    keys: readonly (KeyName | string)[],
    probe: (p: ReturnType<IoRedisNode['client']['pipeline']>, key: KeyName | string) => void,
  ): Promise<Set<number>> {
    const pipeline = this.node.client.pipeline();
    for (const k of keys) probe(pipeline, k);
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (err) {
      throw classifyRedisError(err, { address: this.address, command: 'PTTL' });
    }
    const moved = new Set<number>();
    replies.forEach(([err], i) => {
      if (err && redirected(err)) moved.add(i);
    });
    this.counter.redirects += moved.size;
    return moved;
  }

  private async viaCluster<T>(command: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw classifyRedisError(err, { address: this.address, command });
    }
  }

  private async valueViaCluster(key: KeyName | string): Promise<string | Record<string, string> | undefined> {
    try {
      const v = await this.cluster.get(key);
      return v ?? undefined;
    } catch (err) {
      if (replyPrefix(err) !== 'WRONGTYPE') throw classifyRedisError(err, { address: this.address, command: 'GET' });
      return this.viaCluster('HGETALL', () => this.cluster.hgetall(key));
    }
  }
}
