import { randomUUID } from 'node:crypto';
import type { StateStore } from '../../core/ports/state-store.js';

/** The state-store key whose holder reads the Git host in this round. */
export const POLL_TURN_KEY = 'gitops-follow:poll-turn';

/**
 * Whether this replica reads the open GitOps requests from the Git host in this round: the first replica to
 * claim the round's turn (a lease a little shorter than the round, so the next round is free to claim) does,
 * the others skip it; with N replicas the Git host sees one read per request per round, not N. A replica that
 * dies mid-round leaves the turn to the next round. When the state store cannot answer, the replica reads
 * anyway (more reads, never none).
 *
 * @example
 * const turn = pollTurn(store, 60_000);
 * if (await turn()) ...read every open request...
 */
export function pollTurn(store: StateStore, roundMs: number, holder = randomUUID()): () => Promise<boolean> {
  const leaseMs = Math.max(500, roundMs - Math.min(5_000, Math.floor(roundMs / 10)));
  return () => store.claim(POLL_TURN_KEY, holder, leaseMs).catch(() => true);
}
