/**
 * The literal prefix of a key pattern, where the app's session keys start: `session:*` -> `session:`,
 * `app:sess:*` -> `app:sess:`. Glob characters end the prefix.
 */
export function sessionKeyPrefix(keyPattern: string): string {
  const i = keyPattern.search(/[*?[\\]/);
  return i === -1 ? keyPattern : keyPattern.slice(0, i);
}
