/**
 * The literal prefix of a SCAN MATCH pattern: what every matching key starts with. Glob characters
 * (`*`, `?`, `[`) end it; `\x` is the literal `x`. `session:*` -> `session:`, `app:sess:*` -> `app:sess:`.
 */
export function literalPrefix(keyPattern: string): string {
  let out = '';
  for (let i = 0; i < keyPattern.length; i++) {
    const c = keyPattern.charAt(i);
    if (c === '*' || c === '?' || c === '[') break;
    if (c === '\\') {
      if (i + 1 >= keyPattern.length) break;
      out += keyPattern[++i];
    } else out += c;
  }
  return out;
}

/** At most this many characters of the masked part are shown, and never more than a quarter of it. */
const SHOWN_CHARS = 6;

/**
 * A session id is a bearer credential: evidence, logs and verify messages show the key pattern's
 * literal prefix and only enough of the rest to find the key again with SCAN MATCH. Everything after
 * the prefix is masked whatever its shape (`session:<id>:data` too), and short ids lose as much.
 *
 * @example
 * maskKey('session:3f9a1c0d4e5b6a7f8091a2b3c4d5e6f7:data', 'session:*') // 'session:3f9a1c…'
 * maskKey('session:ab12cd34', 'session:*')                             // 'session:ab…'
 * maskKey('session:x', 'session:*')                                    // 'session:…'
 */
export function maskKey(key: string, keyPattern: string): string {
  const prefix = literalPrefix(keyPattern);
  // A key outside the pattern (it should not happen) is masked whole.
  const kept = key.startsWith(prefix) ? prefix : '';
  const rest = [...key.slice(kept.length)];
  const shown = Math.min(SHOWN_CHARS, Math.floor(rest.length / 4));
  return `${kept}${rest.slice(0, shown).join('')}…`;
}
