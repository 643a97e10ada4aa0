import type { OpenedContext } from '../../remediation/gitops/track-opened.js';
import type { OpenedPullRequest } from '../../remediation/gitops/pull-request-schema.js';
import type { Remediation } from '../../remediation/service.js';
import type { Recheck } from '../recheck.js';
import type { ReportMemory } from './reports.js';
import type { ThreadMemory } from './threads.js';

/**
 * What the fix use cases need: the remediation flow (every decision is made there), where each request's
 * thread is remembered, and the re-run of the checks a change targets.
 */
export interface FixDeps {
  remediation: Pick<
    Remediation,
    'preview' | 'repreview' | 'request' | 'approve' | 'reject' | 'revert' | 'finish' | 'storedPlan'
  >;
  threads: ThreadMemory;
  /** Reports that offered a fix: an applied fix puts a line on top of its report. */
  reports: ReportMemory;
  /**
   * Runs the named checks again after an apply, renders what they find and says whether the findings the
   * change answers are gone (absent: no re-run).
   */
  recheck?: (env: string, checkIds: readonly string[], answers: readonly string[]) => Promise<Recheck>;
  /** GitOps: follows a fix request the apply opened, so its merge or close is said in the request's thread. */
  trackPullRequest?: (opened: OpenedPullRequest, context: OpenedContext) => Promise<unknown>;
}
