/**
 * The platform-neutral message every feature produces: reports, verify progress, alert replies.
 * Renderers turn it into Slack Block Kit (`slack/render/`) or terminal text (`render/`); a Teams
 * renderer would be one more file. Pure data: no markup of any platform inside the strings.
 *
 * @example
 * const m: Message = {
 *   text: 'Session TTL diagnosis for prod: critical',
 *   blocks: [
 *     { kind: 'header', text: 'Session TTL diagnosis: prod', tone: 'critical' },
 *     { kind: 'section', id: 'finding:memory.evictions', text: [{ icon: 'critical' }, { text: ' Redis is evicting keys', bold: true }] },
 *     { kind: 'actions', id: 'actions', actions: [{ command: 'diagnose', label: 'Re-run', ref: 'prod' }] },
 *   ],
 * };
 */

/** Icons a renderer maps to its platform (emoji in Slack, coloured symbols in a terminal). */
export type Icon =
  | 'critical'
  | 'warning'
  | 'info'
  | 'ok'
  | 'healthy'
  | 'incomplete'
  | 'findings'
  | 'error'
  | 'skipped'
  | 'search'
  | 'firing'
  | 'resolved'
  | 'hourglass'
  | 'link';

/** One run of inline content. Text is literal: renderers escape it for their platform. */
export type Span =
  | { text: string; bold?: boolean; italic?: boolean; code?: boolean; link?: string }
  | { icon: Icon }
  /** Mentions a user group (e.g. the on-call group on a severe escalation). */
  | { mentionGroup: string };

export type Inline = readonly Span[];

/** Overall state of a message, for header colour or label. */
export type Tone = 'critical' | 'warning' | 'info' | 'healthy' | 'incomplete' | 'neutral';

/** A button: a command and an opaque reference, never a decision the server trusts. */
export interface Action {
  /** Command the click re-enters with, e.g. `diagnose`, `verify`, `fix:set-eviction-policy`. */
  command: string;
  label: string;
  /** Opaque id (environment name for safe commands, pending-action id for changes). */
  ref: string;
  style?: 'primary' | 'danger';
}

export type Block =
  | { kind: 'header'; text: string; tone?: Tone }
  | { kind: 'section'; id?: string; text: Inline }
  /** Lines shown verbatim in a fixed-width font (charts). */
  | { kind: 'preformatted'; id?: string; lines: readonly string[] }
  | { kind: 'context'; id?: string; items: readonly Inline[] }
  | { kind: 'divider' }
  | { kind: 'actions'; id?: string; actions: readonly Action[] };

export interface Message {
  /** Plain-text fallback: notifications, screen readers, logs. */
  text: string;
  blocks: readonly Block[];
}

/** Shorthand for a plain text span. */
export const t = (text: string, style: Omit<Extract<Span, { text: string }>, 'text'> = {}): Span => ({ text, ...style });
