import { duration, exactSeconds } from '../core/format.js';
import type { VerifyProgress } from './verify-result.js';

/**
 * One line of progress, e.g. "Verifying prod: canary written, TTL 86,400 s, checking again in 1 min …".
 * Pure; shared by the terminal and Slack renderers.
 */
export function progressText(p: VerifyProgress): string {
  if (p.phase === 'writing') {
    return p.mode === 'app'
      ? `Verifying ${p.environment}: creating a test session through the app API …`
      : `Verifying ${p.environment}: writing a canary session key …`;
  }
  const what = p.mode === 'app' ? 'test session created' : 'canary written';
  return `Verifying ${p.environment}: ${what}, TTL ${exactSeconds(p.initialTtlSeconds)}, checking again in ${duration(p.waitSeconds)} …`;
}
