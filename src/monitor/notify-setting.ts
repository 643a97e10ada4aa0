/**
 * What `notify-keyspace-events` must contain for the monitor: K (keyspace channels), g (del, expire,
 * persist), $ (set), x (expired), e (evicted). `A` stands for g$lshzxetd.
 */
const NEEDED = ['K', 'g', '$', 'x', 'e'] as const;

export type NotifyCheck =
  | { ok: true; setting: string }
  | { ok: false; setting: string | undefined; missing: string[]; fix: string; message: string };

/**
 * Compares the setting with what the monitor needs, and words the exact change. The monitor never
 * changes it (that is a decision for the store's owner).
 *
 * @example
 * checkNotifySetting('Ex') // { ok: false, missing: ['K', 'g', '$', 'e'], fix: 'CONFIG SET notify-keyspace-events Exg$K', ... }
 */
export function checkNotifySetting(setting: string | undefined): NotifyCheck {
  if (setting === undefined) {
    const fix = `notify-keyspace-events must include ${NEEDED.join('')} (e.g. CONFIG SET notify-keyspace-events K${NEEDED.slice(1).join('')})`;
    return {
      ok: false,
      setting,
      missing: [],
      fix,
      message: `cannot read notify-keyspace-events (CONFIG GET is not allowed for this user); ${fix}`,
    };
  }
  const has = (f: string) => setting.includes(f) || (f !== 'K' && setting.includes('A'));
  const missing = NEEDED.filter((f) => !has(f));
  if (!missing.length) return { ok: true, setting };
  const wanted = `${setting}${missing.join('')}`;
  const fix = `CONFIG SET notify-keyspace-events ${wanted} (and notify-keyspace-events ${wanted} in redis.conf)`;
  return {
    ok: false,
    setting,
    missing,
    fix,
    message: `notify-keyspace-events is "${setting}", missing ${missing.join(', ')}: session ends are not seen. Add them: ${fix}`,
  };
}

/**
 * The setting of every node a feed subscribes to (a Redis Cluster's masters: notify-keyspace-events is per
 * node): ok when each node has what is needed, else the first node that lacks it, named in the message.
 */
export function worstNotify(settings: readonly { node: string; setting: string | undefined }[]): NotifyCheck {
  const checks = settings.map((s) => ({ node: s.node, check: checkNotifySetting(s.setting) }));
  const bad = checks.filter((c) => !c.check.ok);
  const first = bad[0];
  if (!first || first.check.ok) return checks[0]?.check ?? checkNotifySetting(undefined);
  const nodes = bad.map((c) => c.node);
  return {
    ...first.check,
    message:
      `on ${nodes.length} of ${checks.length} masters (${nodes.join(', ')}): ${first.check.message}; ` +
      'the setting is per node, so set it on every master and replica',
  };
}
