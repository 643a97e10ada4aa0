import type { z } from 'zod';
import type { Finding, RawFinding, Severity } from '../finding.js';
import type { ScenarioNumber, Strength } from '../scenario-types.js';

export { SCENARIO_NUMBERS, type ScenarioNumber, type Strength } from '../scenario-types.js';

/**
 * One finding id as its check declares it, next to the code that raises it.
 *
 * @example
 * export const noExpiry = findingSpec({
 *   id: 'ttl.no_expiry',
 *   severity: { default: 'warning' },
 *   evidence: z.object({ noExpiry: z.number(), sampled: z.number() }),
 *   scenarios: [[2, 'strong']],
 * });
 */
export interface FindingSpec<E extends z.ZodType = z.ZodType> {
  readonly id: string;
  /** `default` is what the check usually raises; `possible` lists every severity it may raise. */
  readonly severity: { readonly default: Severity; readonly possible: readonly Severity[] };
  /** The evidence contract: the engine refuses a finding whose evidence does not parse. */
  readonly evidence: E;
  readonly scenarios: readonly (readonly [ScenarioNumber, Strength])[];
  /** A source failure seen by several checks is reported once (first one wins). */
  readonly oncePerReport?: boolean;
}

/** The input of `findingSpec`: `severity.possible` defaults to the default alone. */
export interface FindingSpecInput<E extends z.ZodType> extends Omit<FindingSpec<E>, 'severity'> {
  readonly severity: { readonly default: Severity; readonly possible?: readonly Severity[] };
}

/** Declares a finding; keeps the evidence schema's type so readers get typed evidence. */
export function findingSpec<E extends z.ZodType>(input: FindingSpecInput<E>): FindingSpec<E> {
  return {
    ...input,
    severity: { default: input.severity.default, possible: input.severity.possible ?? [input.severity.default] },
  };
}

/**
 * The evidence of `finding` typed by `spec`, or undefined when the finding is another one (or its
 * evidence breaks the contract). The way code reads a finding: by its spec, never by an id string.
 *
 * @example const ev = evidenceOf(effectiveBelow, f); if (ev) use(ev.apparentTtlSeconds);
 */
export function evidenceOf<E extends z.ZodType>(
  spec: FindingSpec<E>,
  finding: Pick<Finding | RawFinding, 'id' | 'evidence'>,
): z.infer<E> | undefined {
  if (finding.id !== spec.id) return undefined;
  const parsed = spec.evidence.safeParse(finding.evidence);
  return parsed.success ? parsed.data : undefined;
}
