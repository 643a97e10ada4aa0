import { count } from '../../core/format.js';
import type { SessionStore, SlotMapChange } from '../../core/ports/session-store.js';

/** What a cluster's slot map did during the scan, as evidence; undefined for a standalone Redis. */
export interface SlotMapEvidence extends SlotMapChange {
  /** For the title: that the counts are approximate, or which master failed over (the counts stand). */
  headline?: string;
  note?: string;
}

const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`;

/** Whether only failovers changed the slot map: no key moved between masters, each read key counted once. */
function onlyFailovers(c: SlotMapChange): boolean {
  return c.failovers.length > 0 && !c.movedSlots && !c.migratingSlots.length && c.mastersBefore === c.mastersAfter;
}

function failoverText(c: SlotMapChange): string {
  return c.failovers
    .map((f) => `master ${f.from} failed over to its replica ${f.to} (${plural(f.slots, 'slot', 'slots')})`)
    .join('; ');
}

function movesText(c: SlotMapChange): string {
  return [
    c.movedSlots ? `${plural(c.movedSlots, 'slot', 'slots')} moved to another master` : '',
    c.migratingSlots.length
      ? `slot${c.migratingSlots.length === 1 ? '' : 's'} ${c.migratingSlots.join(', ')} migrating`
      : '',
    c.failovers.length ? failoverText(c) : '',
    c.redirects ? `${count(c.redirects)} read${c.redirects === 1 ? ' was' : 's were'} redirected (MOVED/ASK)` : '',
    c.mastersBefore !== c.mastersAfter ? `masters went from ${c.mastersBefore} to ${c.mastersAfter}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * Asks a cluster store how its slot map moved since the diagnosis began; a failure to ask is not a finding.
 * A slot that moved between masters may have been counted twice or not at all; a failover moves no key (the
 * promoted replica holds its master's keys), so the counts stand and the report names the nodes instead.
 */
export async function slotMapDuringScan(store: SessionStore): Promise<SlotMapEvidence | undefined> {
  if (!store.slotMapChanges) return undefined;
  const change = await store.slotMapChanges().catch(() => undefined);
  if (!change) return undefined;
  if (!change.changed) return change;
  if (onlyFailovers(change)) {
    const what = failoverText(change);
    return {
      ...change,
      headline: `${what} during the scan; no key moved, the counts stand`,
      note:
        `The cluster failed over while the keys were scanned (${movesText(change)}). A failover moves no key ` +
        'between masters, so each key read was counted once; writes the old master had not replicated when it ' +
        'stepped down may be missing. The next diagnosis reads the new roles.',
    };
  }
  return {
    ...change,
    headline: 'the slot map changed during the scan, counts are approximate',
    note:
      `The cluster's slot map changed while the keys were scanned (${movesText(change) || 'the masters changed'}): ` +
      'keys that moved between masters may be counted twice or not at all, so the counts are ' +
      'approximate. Run the diagnosis again once no slot is migrating.',
  };
}
