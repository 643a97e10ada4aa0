import type { SessionStore } from '../../core/ports/session-store.js';

/** What the nodes of a store are called in titles: a cluster's are its masters. */
export function nodeNoun(store: Pick<SessionStore, 'topology'>): string {
  return store.topology === 'cluster' ? 'masters' : 'nodes';
}

/** At most this many addresses are spelled out in a title; the evidence lists them all. */
const NAMED = 3;

/**
 * Where something holds, for a title: nothing on a single node, else which of the nodes. A value seen on
 * one master among three is exactly what an average hides, so it is named.
 *
 * @example onNodes(['127.0.0.1:7002'], 3, 'masters') // ' on 1 of 3 masters (127.0.0.1:7002)'
 * @example onNodes(['a', 'b', 'c'], 3, 'masters') // ' on all 3 masters'
 */
export function onNodes(addresses: readonly string[], total: number, noun = 'nodes'): string {
  if (total <= 1) return '';
  if (addresses.length === total) return ` on all ${total} ${noun}`;
  const named =
    addresses.slice(0, NAMED).join(', ') + (addresses.length > NAMED ? `, +${addresses.length - NAMED} more` : '');
  return ` on ${addresses.length} of ${total} ${noun} (${named})`;
}
