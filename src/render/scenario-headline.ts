import { scenarioDefinition, type ScenarioAssessment } from '../diagnostics/scenarios.js';
import type { Finding, Report } from '../diagnostics/types.js';
import { failedChecks } from './report-status.js';
import {
  kubernetesForbidden,
  kubernetesUnreachable,
  redisForbidden,
  redisTls,
  redisUnreachable,
} from '../diagnostics/catalogue/engine-findings.js';

/** The opening of a report: which runbook scenario the evidence points to, and the runbook's fix. */
export interface ScenarioHeadline {
  /** e.g. "Most likely: Scenario 1, Redis memory eviction: maxmemory-policy is allkeys-lru; …" */
  text: string;
  /** The runbook's fix for the top scenario; empty when nothing is likely. */
  fix: readonly string[];
  /** Other likely or possible scenarios, as "Scenario 6, Configuration mismatch". */
  alsoConsider: string[];
  /** Nothing points to a scenario and every check ran. */
  healthy: boolean;
}

/** What the report could not check and why, said before any scenario. */
export interface NotCheckedLead {
  /** A failed source (Redis refused, Kubernetes 403), in the adapter's words, with its fix. */
  sources: { finding: Finding; text: string }[];
  /** "Not checked: memory, ttl-sample (Redis at … timed out); env-check (configmaps is forbidden)." */
  notChecked?: string;
}

/** Findings the engine raises when a source fails: they lead, because nothing below them is complete. */
export const SOURCE_FAILURE_IDS: ReadonlySet<string> = new Set(
  [redisUnreachable, redisTls, redisForbidden, kubernetesUnreachable, kubernetesForbidden].map((spec) => spec.id),
);

const label = (s: ScenarioAssessment) => `Scenario ${s.scenario}, ${s.name}`;
const sentence = (text: string) => text.trim().replace(/\.$/, '');

/**
 * The source failures and the checks that failed or timed out, grouped by why: the first thing a
 * reader of an incomplete report must see. Empty when every check ran. Pure.
 *
 * @example
 * notCheckedLead(report).notChecked // "Not checked: memory, ttl-sample (Redis at 10.0.0.5:6379 timed out)."
 */
export function notCheckedLead(report: Report): NotCheckedLead {
  const sources = report.findings
    .filter((f) => SOURCE_FAILURE_IDS.has(f.id))
    .map((finding) => ({ finding, text: sentence(finding.detail || finding.title) }));
  const said = new Set(sources.map((s) => s.text));
  const byWhy = new Map<string, string[]>();
  for (const c of failedChecks(report)) {
    const why = sentence(c.message ?? 'failed');
    byWhy.set(why, [...(byWhy.get(why) ?? []), c.id]);
  }
  if (!byWhy.size) return { sources };
  const groups = [...byWhy].map(([why, ids]) => `${ids.join(', ')} (${said.has(why) ? 'for that reason' : why})`);
  return { sources, notChecked: `Not checked: ${groups.join('; ')}.` };
}

/** Builds the headline from the ranking and the titles of the findings behind the top scenario. Pure. */
export function scenarioHeadline(report: Report): ScenarioHeadline {
  const [top, ...rest] = report.scenarios;
  const complete = failedChecks(report).length === 0;
  const alsoConsider = rest.filter((s) => s.likelihood !== 'ruled_out' && s.evidence.length).map(label);
  if (!top || top.likelihood === 'ruled_out' || !top.evidence.length) {
    const ruledOut = report.scenarios.filter((s) => s.likelihood === 'ruled_out').length;
    const open = report.scenarios
      .filter((s) => s.likelihood !== 'ruled_out')
      .map((s) => `Scenario ${s.scenario}${s.unchecked?.length ? ` (${s.unchecked.join(', ')} did not run)` : ''}`);
    const basis = complete ? 'the evidence' : 'what could be checked';
    return {
      text:
        `No runbook scenario is supported by ${basis}: ${ruledOut} of ${report.scenarios.length} ruled out` +
        (open.length ? `; not ruled out: ${open.join(', ')}.` : '.'),
      fix: [],
      alsoConsider: [],
      healthy: complete,
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
