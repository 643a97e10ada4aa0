// Numbers and durations for people, in one style everywhere (reports, Slack, terminal, logs' messages).

/** `12,345` */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A measured rate or average, grouped like `count` but keeping up to `maxDecimals` decimals:
 * `2.5`, `0.33`, `1,234.5`. A rate of `0.4` per second must not read as `0`.
 */
export function decimal(n: number, maxDecimals = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: maxDecimals });
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
  // Some unit fits: s >= 60 here, and 'min' is 60.
  const [bigName, bigSize] = units[i] ?? ['s', 1];
  const big = Math.floor(s / bigSize);
  const next = units[i + 1];
  const small = next ? Math.floor((s - big * bigSize) / next[1]) : 0;
  return `${neg}${big} ${bigName}${next && small ? ` ${small} ${next[0]}` : ''}`;
}

/**
 * Seconds as a plain count of seconds: `3,540 s`, and one decimal under 10 s (`2.5 s`).
 * For measurement readouts whose lines are compared with each other and with a TTL configured in
 * seconds (verify's Initial TTL / TTL after wait / Drift): `duration` would show `59 min` for both
 * 3,540 s and 3,569 s and hide the difference the drift line reports. Prose uses `duration`.
 */
export function exactSeconds(seconds: number): string {
  return Math.abs(seconds) < 10 ? duration(seconds) : `${count(seconds)} s`;
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

/**
 * Seconds as a compact duration without spaces, the two largest units: `45s`, `6m`, `1h30m`, `2d12h`.
 * Only for the TTL histogram's bucket labels (`<6m`, `6m-15m`, `>1h`): they sit in a narrow column
 * of a bar chart, where `6 min-15 min` would not fit. Prose uses `duration`.
 */
export function compactDuration(seconds: number): string {
  let s = Math.round(seconds);
  if (s <= 0) return '0s';
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(s / size);
    if (n > 0 || parts.length) {
      if (n > 0) parts.push(`${n}${name}`);
      s -= n * size;
      if (parts.length === 2 || (parts.length && n === 0)) break;
    }
  }
  return parts.join('');
}

/**
 * Bytes in Redis' own INFO notation (`used_memory_human`): `1.50M`, `512.00K`, `100B`.
 * Only as a stand-in when INFO omits its `*_human` field, so the figure reads like the ones Redis
 * prints next to it (and like `redis-cli INFO memory`, which operators compare it with).
 */
export function redisHumanBytes(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v}B` : `${v.toFixed(2)}${units[i]}`;
}

/** `scheme://host:port/path` of a URL: no user info, query or fragment (they can carry secrets). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}
