import type { AlertStatus } from '../alert-post.js';

/**
 * A line of an alert post reduced to plain text, with what its decorations said. Each chat platform turns
 * its own markup into these (Slack mrkdwn, Teams markdown and HTML); the alert parser reads only them.
 */
export interface PlainLine {
  text: string;
  /** The line started with a list marker (`•`, `-`, `*`, `1.`), now removed. */
  bullet: boolean;
  /** Status suggested by an emoji on the line (`:fire:` firing, `:white_check_mark:` resolved). */
  emojiStatus?: AlertStatus;
}

/** A list marker at the start of a line: `•`, `-`, `*`, `1.`, `2)` and their kin. */
export const BULLET = /^\s*(?:[•◦▪‣·∙●○■▶►*\-–—+]|\d{1,3}[.)])\s+/;

/** Turns a platform's text (already split into lines) into plain lines: one per non-empty line. */
export type LineReader = (text: string) => PlainLine[];
