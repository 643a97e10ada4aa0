import type { z } from 'zod';

/**
 * A JSON record read back from a store, checked against its schema: `undefined` when the text is not
 * JSON or not that shape (a corrupt or foreign entry is never trusted).
 */
export function parseStored<S extends z.ZodType>(schema: S, raw: string | undefined): z.infer<S> | undefined {
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
