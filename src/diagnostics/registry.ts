import { createFindingCatalogue, type FindingCatalogue } from './catalogue/finding-catalogue.js';
import type { Check } from './types.js';

/** Checks by id, built from a plain list, with the catalogue of the findings they may raise. */
export interface CheckRegistry {
  readonly all: readonly Check[];
  readonly catalogue: FindingCatalogue;
  get(id: string): Check | undefined;
  ids(): string[];
}

/** Builds the registry; a duplicate check or finding id is a programming error and fails at start-up. */
export function createCheckRegistry(checks: readonly Check[]): CheckRegistry {
  const byId = new Map<string, Check>();
  for (const check of checks) {
    if (byId.has(check.id)) throw new Error(`duplicate check id "${check.id}" in the check registry`);
    byId.set(check.id, check);
  }
  return {
    all: checks,
    catalogue: createFindingCatalogue(checks),
    get: (id) => byId.get(id),
    ids: () => [...byId.keys()],
  };
}
