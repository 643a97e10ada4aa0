/**
 * A session id is a bearer credential: evidence (posted to Slack) shows only enough of it to find the
 * key again with SCAN MATCH, e.g. `session:3f9a1c…`.
 */
export function maskKey(key: string): string {
  const i = key.lastIndexOf(':');
  const id = key.slice(i + 1);
  return id.length > 8 ? `${key.slice(0, i + 1)}${id.slice(0, 6)}…` : key;
}
