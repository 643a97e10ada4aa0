import type { StreamEntry, StreamStore } from '../../core/ports/stream-store.js';

/** Capped streams in memory, for when no state Redis is configured: one replica's history only. */
export function memoryStreamStore(): StreamStore {
  const streams = new Map<string, StreamEntry[]>();
  let seq = 0;
  return {
    shared: false,
    async append(key, fields, maxLen) {
      const entries = streams.get(key) ?? [];
      const id = `${++seq}-0`;
      entries.push({ id, fields: { ...fields } });
      if (entries.length > maxLen) entries.splice(0, entries.length - maxLen);
      streams.set(key, entries);
      return id;
    },
    async latest(key, count) {
      return (streams.get(key) ?? [])
        .slice(-count)
        .reverse()
        .map((e) => ({ id: e.id, fields: { ...e.fields } }));
    },
  };
}
