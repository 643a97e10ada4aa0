import type { Message } from '../../core/message.js';
import type { Remediation } from '../../remediation/service.js';
import type { ThreadMemory } from './threads.js';

/**
 * What the fix use cases need: the remediation flow (every decision is made there), where each request's
 * thread is remembered, and the re-run of the checks a change targets.
 */
export interface FixDeps {
  remediation: Pick<Remediation, 'preview' | 'repreview' | 'request' | 'approve' | 'reject' | 'revert' | 'storedPlan'>;
  threads: ThreadMemory;
  /** Runs the named checks again after an apply and renders what they find (absent: no re-run). */
  recheck?: (env: string, checkIds: readonly string[]) => Promise<Message>;
}
