import { scenarioDefinition, type ScenarioAssessment } from '../diagnostics/scenarios.js';
import type { Report } from '../diagnostics/types.js';

/** The opening of a report: which runbook scenario the evidence points to, and the runbook's fix. */
export interface ScenarioHeadline {
  /** e.g. "Most likely: Scenario 1, Redis memory eviction: maxmemory-policy is allkeys-lru; …" */
  text: string;
  /** The runbook's fix for the top scenario; empty when nothing is likely. */
  fix: readonly string[];
  /** Other likely or possible scenarios, as "Scenario 6, Configuration mismatch". */
  alsoConsider: string[];
  healthy: boolean;
}

const label = (s: ScenarioAssessment) => `Scenario ${s.scenario}, ${s.name}`;

/** Builds the headline from the ranking and the titles of the findings behind the top scenario. Pure. */
export function scenarioHeadline(report: Report): ScenarioHeadline {
  const [top, ...rest] = report.scenarios;
  const alsoConsider = rest.filter((s) => s.likelihood !== 'ruled_out' && s.evidence.length).map(label);
  if (!top || top.likelihood === 'ruled_out' || !top.evidence.length) {
    const ruledOut = report.scenarios.filter((s) => s.likelihood === 'ruled_out').length;
    const open = report.scenarios.filter((s) => s.likelihood !== 'ruled_out').map((s) => `Scenario ${s.scenario}`);
    return {
      text:
        `No runbook scenario is supported by the evidence: ${ruledOut} of ${report.scenarios.length} ruled out` +
        (open.length ? `, not checked: ${open.join(', ')}.` : '.'),
      fix: [],
      alsoConsider: [],
      healthy: true,
    };
  }
  const why = top.evidence
    .map((id) => report.findings.find((f) => f.id === id)?.title)
    .filter((t): t is string => !!t)
    .slice(0, 3)
    .join('; ');
  const lead = top.likelihood === 'likely' ? 'Most likely' : 'Possibly';
  return {
    text: `${lead}: ${label(top)}${why ? `: ${why}` : ''}`,
    fix: top.fix ?? scenarioDefinition(top.scenario).fix,
    alsoConsider,
    healthy: false,
  };
}
