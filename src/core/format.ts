// Numbers and durations for people, in one style everywhere (reports, Slack, terminal, logs' messages).

/** `12,345` */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A ratio as a percentage with one decimal at most: `0.1234` -> `12.3%`. */
export function percent(ratio: number): string {
  return `${(Math.round(ratio * 1000) / 10).toLocaleString('en-US')}%`;
}

/**
 * Seconds as a short duration, the two largest units: `45 s`, `6 min`, `1 h 30 min`, `2 d 12 h`.
 * Under 10 s one decimal is kept (`2.5 s`), so short waits and clock offsets stay readable.
 */
export function duration(seconds: number): string {
  const neg = seconds < 0 ? '-' : '';
  const abs = Math.abs(seconds);
  if (abs < 10) return `${neg}${Math.round(abs * 10) / 10} s`;
  const s = Math.round(abs);
  if (s < 60) return `${neg}${s} s`;
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const i = units.findIndex(([, size]) => s >= size);
  const [bigName, bigSize] = units[i] as [string, number];
  const big = Math.floor(s / bigSize);
  const next = units[i + 1];
  const small = next ? Math.floor((s - big * bigSize) / next[1]) : 0;
  return `${neg}${big} ${bigName}${next && small ? ` ${small} ${next[0]}` : ''}`;
}

/** Milliseconds as a duration: `850 ms` under a second, else as `duration`. */
export function durationMs(ms: number): string {
  return Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : duration(ms / 1000);
}

/** Bytes as a person would type them in redis.conf: `128mb`, `1.5gb`, `512kb`, `100b`. */
export function bytes(n: number): string {
  const units: [string, number][] = [
    ['gb', 1024 ** 3],
    ['mb', 1024 ** 2],
    ['kb', 1024],
  ];
  for (const [unit, size] of units) if (n >= size) return `${Math.round((n / size) * 10) / 10}${unit}`;
  return `${Math.round(n)}b`;
}
