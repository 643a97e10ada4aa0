/** One entry of an append-only stream: its id (Redis stream id, increasing) and flat string fields. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

/**
 * Append-only, capped logs (Redis streams: `XADD key MAXLEN ~ n *`, `XREVRANGE`). Keys are relative, as
 * in `StateStore`; entries do not expire, the cap bounds them.
 */
export interface StreamStore {
  /** Appends and trims the stream to about `maxLen` entries; returns the new entry's id. */
  append(key: string, fields: Record<string, string>, maxLen: number): Promise<string>;
  /** The newest `count` entries, newest first. */
  latest(key: string, count: number): Promise<StreamEntry[]>;
  readonly shared: boolean;
}
