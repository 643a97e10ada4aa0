import { toTerminal } from '../render/terminal.js';
import { verifyMessage } from './verify-message.js';
import type { VerifyHint, VerifyResult } from './verify-result.js';

export interface VerifyTextOptions {
  /** ANSI colours (the CLI turns them on only for a TTY without NO_COLOR). */
  color: boolean;
  /** What the caller knows beyond the run (open criticals of the latest diagnosis). */
  hint?: VerifyHint;
}

/** Renders a verification result for a terminal: `toTerminal(verifyMessage(r))`. Pure. */
export function renderVerifyText(r: VerifyResult, opts: VerifyTextOptions): string {
  return toTerminal(verifyMessage(r, opts.hint), opts);
}
