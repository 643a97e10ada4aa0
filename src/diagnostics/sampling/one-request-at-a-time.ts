import type { KeyName, RedisNodePort, SessionStore } from '../../core/ports/session-store.js';

/** Runs work in the order given, one piece at a time, whatever the earlier pieces did. */
type Gate = <T>(work: () => Promise<T>) => Promise<T>;

function createGate(): Gate {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const result = tail.then(work, work);
    tail = result.catch(() => undefined);
    return result;
  };
}

/** A SCAN whose every step passes the gate. */
function gatedScan(scan: AsyncIterable<KeyName[]>, gate: Gate): AsyncIterable<KeyName[]> {
  return {
    [Symbol.asyncIterator]() {
      const it = scan[Symbol.asyncIterator]();
      return {
        next: () => gate(() => it.next()),
        return: async (value?: unknown) => (it.return ? it.return(value) : { done: true, value: undefined }),
      };
    },
  };
}

/**
 * One node whose requests (a command, or one pipeline of PTTLs or GETs) reach Redis one at a time, in the
 * order the checks make them. A full audit's own pass (`auditKeyspace`) paces itself and passes as it is.
 */
function gatedNode(node: RedisNodePort): RedisNodePort {
  const gate = createGate();
  const audit = node.auditKeyspace?.bind(node);
  return {
    address: node.address,
    info: (section) => gate(() => node.info(section)),
    configGet: (name) => gate(() => node.configGet(name)),
    scan: (pattern, count) => gatedScan(node.scan(pattern, count), gate),
    pttl: (keys) => gate(() => node.pttl(keys)),
    readValues: (keys) => gate(() => node.readValues(keys)),
    time: () => gate(() => node.time()),
    keyspace: () => gate(() => node.keyspace()),
    ...(audit ? { auditKeyspace: audit } : {}),
  };
}

/**
 * The store as one diagnosis reads it: each node's requests one at a time, like a minimal reader
 * (issue 18 item 11). A request's replies sit in the connection's output buffer until the server has
 * answered everything it read in one go, and on a Redis at its maxmemory under allkeys-* that buffer is
 * what it evicts sessions for: the checks' concurrent INFO, CONFIG and PTTL requests piled replies into
 * 16 KB reply blocks where a reader asking one thing at a time needs none. Costs a round trip per request
 * (a sampled diagnosis sends a few dozen).
 *
 * `nodes` is read through on every access (a store may replace a closed connection, or fail with the
 * reason), and a node keeps its gate for the whole diagnosis.
 */
export function oneRequestAtATime(store: SessionStore): SessionStore {
  const gated = new WeakMap<RedisNodePort, RedisNodePort>();
  const gatedOf = (node: RedisNodePort): RedisNodePort => {
    const known = gated.get(node);
    if (known) return known;
    const made = gatedNode(node);
    gated.set(node, made);
    return made;
  };
  const refresh = store.refresh?.bind(store);
  const slotMapChanges = store.slotMapChanges?.bind(store);
  const replicaSet = store.replicaSet?.bind(store);
  const replicaReads = store.replicaReads?.bind(store);
  return {
    get nodes() {
      return store.nodes.map(gatedOf);
    },
    get readNodes() {
      return store.readNodes?.map(gatedOf);
    },
    ...(store.topology ? { topology: store.topology } : {}),
    ...(refresh ? { refresh } : {}),
    ...(slotMapChanges ? { slotMapChanges } : {}),
    ...(replicaReads ? { replicaReads } : {}),
    ...(replicaSet
      ? {
          replicaSet() {
            const set = replicaSet();
            return set && { ...set, replicas: set.replicas.map((r) => ({ ...r, node: gatedOf(r.node) })) };
          },
        }
      : {}),
  };
}
