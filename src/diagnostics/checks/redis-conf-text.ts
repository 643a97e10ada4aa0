/**
 * Reading a `redis.conf` text as Redis does, for comparing it with the live server: one directive per
 * line, `#` comments, names case-insensitive, the last occurrence wins. Read-only; the editor that
 * changes one line lives with the remediation actions.
 */

/** Splits a line into arguments: blanks separate, "double" or 'single' quotes group (escapes kept simple). */
function args(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push((m[1] ?? m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  return out;
}

/** Directive name (lower case) -> its value (arguments joined by a space), the last occurrence winning. */
export function readDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [name, ...rest] = args(line);
    if (name) out.set(name.toLowerCase(), rest.join(' '));
  }
  return out;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

/**
 * A memory value as Redis reads it (`512mb`, `1gb`, `100000`; k/m/g are powers of 1000, kb/mb/gb of
 * 1024, case-insensitive), in bytes; undefined when it is not one.
 *
 * @example memoryBytes('512mb') // 536870912
 */
export function memoryBytes(value: string): number | undefined {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/**
 * The classes of `notify-keyspace-events` as a sorted set of letters, `A` expanded to the classes it
 * stands for, so `"AKE"` and CONFIG GET's `"AKE"`/`"g$lshzxetdKE"` compare equal.
 */
export function keyspaceEventClasses(value: string): string {
  const expanded = value.replace(/A/g, 'g$lshzxetd');
  return [...new Set(expanded)].sort().join('');
}
