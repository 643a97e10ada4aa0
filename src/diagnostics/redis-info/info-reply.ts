import type { z } from 'zod';

/**
 * Validates the fields of an INFO section that a check relies on; a reply without them (an old or
 * unusual server, a proxy) becomes an error naming the node and the missing fields.
 */
export function parseInfoReply<T>(
  schema: z.ZodType<T>,
  info: Record<string, string>,
  section: string,
  address: string,
): T {
  const parsed = schema.safeParse(info);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Redis at ${address} sent an INFO ${section} reply without the expected fields (${fields}).`);
  }
  return parsed.data;
}
