/** FNV-1a over the key's UTF-16 code units, as a fraction in [0, 1): the same key always lands in the same place. */
export function keyFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/** Whether `key` is in the deterministic sample of `rate` (every replica and every restart agree). */
export function inSample(key: string, rate: number): boolean {
  return rate >= 1 || keyFraction(key) < rate;
}
