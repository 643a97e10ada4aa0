import type { FindingSpec } from './catalogue/finding-spec.js';
import type { Check, CheckContext, Need, RawFinding, SourcedContext } from './types.js';

/** A check's declaration; `run` sees the sources of `needs` as present and those of `optional` as maybe. */
export interface CheckDefinition<N extends Need, O extends Need> {
  id: string;
  summary: string;
  needs: readonly N[];
  optional?: readonly O[];
  findings: readonly FindingSpec[];
  timeoutMs?: number;
  runByDefault?: boolean;
  run: (ctx: CheckContext<N, O>) => Promise<RawFinding[]>;
}

/** Raised when a check is run without a source it needs (the engine skips such checks before). */
export class MissingSourceError extends Error {
  override name = 'MissingSourceError';
  constructor(
    readonly checkId: string,
    readonly missing: readonly Need[],
  ) {
    super(`check "${checkId}" needs ${missing.join(' / ')}, which this run does not have`);
  }
}

function missingNeeds(ctx: SourcedContext, needs: readonly Need[]): Need[] {
  return needs.filter((n) => (n === 'redis' ? !ctx.redis || !ctx.sampler : !ctx.cluster));
}

// The one place where the runtime test of `needs` meets the type: what it checks is what Present<N> promises.
function provides<N extends Need, O extends Need>(
  ctx: SourcedContext,
  needs: readonly N[],
): ctx is SourcedContext & CheckContext<N, O> {
  return missingNeeds(ctx, needs).length === 0;
}

/**
 * Declares a check typed by its needs.
 *
 * @example
 * defineCheck({
 *   id: 'clock-skew', summary: '...', findings: [clockSkew],
 *   needs: ['redis'], optional: ['kubernetes'],
 *   async run(ctx) { ctx.redis.nodes; ctx.cluster?.serverTime; return []; },
 * });
 */
export function defineCheck<const N extends Need = never, const O extends Need = never>(
  def: CheckDefinition<N, O>,
): Check {
  const { run, ...rest } = def;
  return {
    ...rest,
    run(ctx) {
      if (!provides<N, O>(ctx, def.needs))
        return Promise.reject(new MissingSourceError(def.id, missingNeeds(ctx, def.needs)));
      return run(ctx);
    },
  };
}
