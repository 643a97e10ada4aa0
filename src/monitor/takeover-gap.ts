import type { StateStore } from '../core/ports/state-store.js';
import { parseStatusSnapshot, statusKey } from './status-snapshot.js';

/** The replica that watched an environment before this one, and when it last said so. */
export interface PreviousWatcher {
  replica: string;
  /** When its last snapshot was written (ms since the epoch): nothing it saw after that is known. */
  at: number;
}

/**
 * Who watched `env` until recently, from the snapshot the watching replica writes every tick (it expires
 * three leases after the last one): a replica taking the lease over counts the time from then to its own
 * subscription as a gap, because the notifications in it reached nobody (the holder was killed, OOM, or
 * handed over). Undefined when no replica watched lately (first start, or long unwatched: the snapshot expired).
 */
export async function previousWatcher(store: StateStore, env: string): Promise<PreviousWatcher | undefined> {
  const raw = await store.get(statusKey(env));
  const snapshot = raw === undefined ? undefined : parseStatusSnapshot(raw);
  if (snapshot?.state !== 'watching') return undefined;
  return { replica: snapshot.replica, at: snapshot.at };
}
