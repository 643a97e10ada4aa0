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
  | 'link'
  /** A repeated event (an alert firing again within its cooldown). */
  | 'repeat'
  /** The bot needs an answer from a person. */
  | 'question'
  /** A test that did not hold (a verification reason). */
  | 'fail'
  /** Something went wrong that is not a finding (a run that could not finish). */
  | 'caution';

/** One run of inline content. Text is literal: renderers escape it for their platform. */
export type Span =
  | { text: string; bold?: boolean; italic?: boolean; code?: boolean; link?: string }
  | { icon: Icon }
  /** Mentions a user group (e.g. the on-call group on a severe escalation). */
  | { mentionGroup: string }
  /** Mentions a person (who asked for a report, who approved a change). */
  | { mentionUser: string }
  /** Links a channel (where remediation works, where an audited step happened). */
  | { mentionChannel: string };

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

/** A labelled value (a measured number, a setting); renderers lay fields out side by side or aligned. */
export interface Field {
  label: string;
  value: Inline;
}

/**
 * Marks a block a renderer with a block budget (Slack: 50) may leave out, last ones first; the
 * message's `overflow` then says how many. `tag` is counted there, e.g. the finding's severity.
 */
export interface Collapse {
  tag?: string;
  /**
   * A renderer short of room may keep only the section's spans before this index and drop the rest (a
   * finding's evidence line), before it leaves out whole blocks.
   */
  foldAt?: number;
}

/**
 * Someone a block's buttons are for: a user id (as the actor's `userId`), or a group of users by its id (a
 * Slack user group, an Entra ID group), whose members the platform may read.
 */
export type AudienceMember = string | { readonly group: string };

export type Block =
  | {
      kind: 'header';
      text: string;
      /** Colour of the header where the platform has colour. */
      tone?: Tone;
      /** Overall status shown after the text, e.g. `{ icon: 'critical', label: 'CRITICAL' }`. */
      status?: { icon: Icon; label: string };
      /** Shown before the text, e.g. `{ icon: 'resolved', note: 'Resolved after 23 min' }` once an alert resolved. */
      lead?: { icon: Icon; note?: string };
    }
  | { kind: 'section'; id?: string; text: Inline; fields?: readonly Field[]; collapse?: Collapse }
  /** Lines shown verbatim in a fixed-width font (charts); may be drawn inside the section before it. */
  | { kind: 'preformatted'; id?: string; lines: readonly string[]; collapse?: Collapse }
  | { kind: 'context'; id?: string; items: readonly Inline[] }
  | { kind: 'divider' }
  | {
      kind: 'actions';
      id?: string;
      actions: readonly Action[];
      /**
       * Whom these buttons are for (user ids, e.g. the requester and the approvers the policy names, then the
       * approver groups as `{ group }`). A platform with views per person (Teams' user-specific views) shows them
       * to these people only; others show them to everyone. Never an authorization: every click is decided by
       * the server.
       */
      audience?: readonly AudienceMember[];
    };

/** What a renderer that left collapsible blocks out says instead: "…and 3 more findings (2 critical, 1 info). <hint>". */
export interface Overflow {
  /** Id of the block that replaces them. */
  id: string;
  /** Singular; the renderer adds the plural `s`. */
  noun: string;
  hint?: Inline;
}

export interface Message {
  /** Plain-text fallback: notifications, screen readers, logs. */
  text: string;
  /**
   * The fallback with formatting, for platforms whose notifications show it (Slack). `text` stays the
   * plain version of it. Leave it out when the plain text is all there is to say.
   */
  summary?: Inline;
  blocks: readonly Block[];
  overflow?: Overflow;
}

/**
 * A value a person types or picks in a form. `name` is the key the submitted values carry; `initial`
 * is shown filled in. Values come back as strings: the form's owner parses them (zod) and says what is wrong.
 */
export type Input =
  | { kind: 'select'; name: string; label: string; options: readonly string[]; initial?: string; hint?: string }
  | { kind: 'text'; name: string; label: string; initial?: string; placeholder?: string; hint?: string }
  | { kind: 'number'; name: string; label: string; initial?: number; min?: number; max?: number; hint?: string };

/**
 * A form: a message to read, inputs to fill and a submit button, e.g. the preview of a fix. Each platform
 * renders it its own way (a Slack modal, a Teams dialog or Adaptive Card, the terminal lists the inputs).
 * `ref` is an opaque id the submission comes back with; the server never trusts anything else in it.
 *
 * @example
 * const f: Form = { kind: 'preview', ref: pendingId, title: 'Preview the change', body: planMessage(plan),
 *   inputs: [{ kind: 'select', name: 'policy', label: 'maxmemory-policy', options: POLICIES, initial: 'volatile-lru' }],
 *   submit: 'Request approval' };
 */
export interface Form {
  /** Which kind of form (the submission is routed by it), e.g. `preview`. */
  kind: string;
  ref: string;
  /** Short title (Slack allows 24 characters). */
  title: string;
  body: Message;
  inputs: readonly Input[];
  /** The submit button's label; absent, the form can only be closed (nothing to submit). */
  submit?: string;
}

/** What a submitted form carries back: its kind and ref, and the inputs' values by name (as typed). */
export interface FormSubmission {
  kind: string;
  ref: string;
  values: Readonly<Record<string, string>>;
}

/** The answer to a submission: close the form, show errors next to inputs, or show another form. */
export type FormResult =
  { kind: 'close' } | { kind: 'errors'; errors: Readonly<Record<string, string>> } | { kind: 'replace'; form: Form };

/** Shorthand for a plain text span. */
export const t = (text: string, style: Omit<Extract<Span, { text: string }>, 'text'> = {}): Span => ({
  text,
  ...style,
});

/** The plain text of inline content (logs, notifications): icons and mentions dropped, links as `label (url)`. */
export function plainText(inline: Inline): string {
  const text = (s: Span) => ('text' in s ? (s.link && s.link !== s.text ? `${s.text} (${s.link})` : s.text) : '');
  return inline.map(text).join('').trimStart();
}

/** Cuts `text` to at most `max` characters, ending with `…`. For data the message shows in part. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
