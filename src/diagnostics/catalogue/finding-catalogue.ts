import { SCENARIO_NUMBERS, type FindingSpec, type ScenarioNumber } from './finding-spec.js';
import { ENGINE_OWNER, engineFindings } from './engine-findings.js';
import type { Check, RawFinding } from '../types.js';

/** A catalogued finding and who may raise it: a check id, or `engine`. */
export interface CatalogueEntry extends FindingSpec {
  readonly owner: string;
}

/**
 * Every finding id the bot can raise, built at start-up from the plain list of checks plus the
 * engine's own findings. Renderers and the ranking look ids up here instead of matching strings.
 */
export interface FindingCatalogue {
  readonly entries: readonly CatalogueEntry[];
  get(id: string): CatalogueEntry | undefined;
  /** The runbook scenarios the finding supports; [] for an unknown id. */
  scenariosOf(id: string): ScenarioNumber[];
  /**
   * Why `finding`, raised by `owner` (a check id, or `engine`), breaks the catalogue: an id the owner
   * did not declare, a severity it did not declare, or evidence that does not match the schema.
   */
  violation(owner: string, finding: RawFinding): string | undefined;
}

/** A catalogue that cannot be built: a programming error, thrown at start-up. */
export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

function checkEntry(entry: CatalogueEntry): void {
  const where = `finding "${entry.id}" (${entry.owner})`;
  for (const [scenario] of entry.scenarios) {
    if (!(SCENARIO_NUMBERS as readonly number[]).includes(scenario))
      throw new CatalogueError(`${where} names unknown scenario ${scenario}`);
  }
  if (!entry.severity.possible.includes(entry.severity.default)) {
    throw new CatalogueError(
      `${where}: default severity ${entry.severity.default} is not among its possible severities`,
    );
  }
}

/** Builds the catalogue; a duplicate id or unknown scenario throws `CatalogueError`. */
export function createFindingCatalogue(
  checks: readonly Pick<Check, 'id' | 'findings'>[],
  engine: readonly FindingSpec[] = engineFindings,
): FindingCatalogue {
  const byId = new Map<string, CatalogueEntry>();
  const add = (owner: string, spec: FindingSpec) => {
    const existing = byId.get(spec.id);
    if (existing)
      throw new CatalogueError(`duplicate finding id "${spec.id}" (declared by ${existing.owner} and ${owner})`);
    const entry: CatalogueEntry = { ...spec, owner };
    checkEntry(entry);
    byId.set(spec.id, entry);
  };
  for (const spec of engine) add(ENGINE_OWNER, spec);
  for (const check of checks) for (const spec of check.findings) add(check.id, spec);

  return {
    entries: [...byId.values()],
    get: (id) => byId.get(id),
    scenariosOf: (id) => (byId.get(id)?.scenarios ?? []).map(([s]) => s),
    violation(owner, finding) {
      const entry = byId.get(finding.id);
      if (!entry || entry.owner !== owner) {
        return `raised finding "${finding.id}", which ${owner === ENGINE_OWNER ? 'the engine' : `check "${owner}"`} does not declare in its findings catalogue`;
      }
      if (!entry.severity.possible.includes(finding.severity)) {
        return `raised finding "${finding.id}" with severity ${finding.severity}, not among its declared ${entry.severity.possible.join(' / ')}`;
      }
      const parsed = entry.evidence.safeParse(finding.evidence);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(evidence)'}: ${i.message}`).join('; ');
        return `raised finding "${finding.id}" whose evidence does not match its schema (${issues})`;
      }
      return undefined;
    },
  };
}
