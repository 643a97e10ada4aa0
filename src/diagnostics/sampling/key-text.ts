import type { KeyName } from '../../core/ports/session-store.js';

/**
 * A key name as text for evidence: the UTF-8 text when the bytes are valid UTF-8, else the way
 * `redis-cli` quotes it (printable ASCII as is, other bytes as `\xHH`), so a binary key still names itself.
 *
 * @example keyText(Buffer.from([0x73, 0x3a, 0xff])) // 's:\\xff'
 */
export function keyText(key: KeyName | string): string {
  if (typeof key === 'string') return key;
  const text = key.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(key)) return text;
  let out = '';
  for (const b of key)
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}
