import { z } from 'zod';

/**
 * The finding a fix was offered for, as the request keeps it: what a GitOps pull request's body names
 * (id, severity, title) and its evidence as `key=value` lines.
 */
export const findingRefSchema = z.object({
  id: z.string().min(1),
  severity: z.string(),
  title: z.string(),
  evidence: z.array(z.string()).max(20),
});
export type FindingRef = z.infer<typeof findingRefSchema>;

/** A report's finding as the offers receive it (the fields beyond `id` are optional for callers that lack them). */
export interface OfferedFinding {
  id: string;
  severity?: string;
  title?: string;
  evidence?: Record<string, unknown>;
}

const MAX_LINES = 12;

/** `key=value` lines of the plain values of a finding's evidence (objects and lists are left to the report). */
export function findingRefOf(f: OfferedFinding): FindingRef {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(f.evidence ?? {})) {
    if (lines.length >= MAX_LINES) break;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      lines.push(`${k}=${String(v).slice(0, 200)}`);
  }
  return { id: f.id, severity: f.severity ?? 'info', title: f.title ?? f.id, evidence: lines };
}
