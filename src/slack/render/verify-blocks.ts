import type { VerifyProgress, VerifyResult } from '../../verify/verify-result.js';
import { verifyMessage, verifyProgressMessage } from '../../verify/verify-message.js';
import { toBlockKit, type SlackMessage } from './block-kit.js';

/** The progress message as Block Kit (posted, then updated in place). Pure. */
export function renderVerifyProgressMessage(p: VerifyProgress): SlackMessage {
  return toBlockKit(verifyProgressMessage(p));
}

/** The verdict as Block Kit. Pure: same result, same message. */
export function renderVerifyMessage(r: VerifyResult): SlackMessage {
  return toBlockKit(verifyMessage(r));
}
