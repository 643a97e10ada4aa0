export interface Row {
  fault: string;
  expected: string;
  observed: string;
  held: boolean;
}

/** The table of every probe (fault, expected, observed, held) and, last, how many held. */
export function printReport(rows: readonly Row[], startedAt: number): void {
  const w = (k: 'fault' | 'expected' | 'observed') => Math.max(k.length, ...rows.map((r) => r[k].length));
  const line = (f: string, e: string, o: string, h: string) =>
    `${f.padEnd(w('fault'))}  ${e.padEnd(w('expected'))}  ${o.padEnd(w('observed'))}  ${h}`;
  console.log(line('fault', 'expected', 'observed', 'held'));
  for (const r of rows) console.log(line(r.fault, r.expected, r.observed, r.held ? 'yes' : 'NO'));
  const held = rows.filter((r) => r.held).length;
  console.log(`${held}/${rows.length} faults held (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
}
