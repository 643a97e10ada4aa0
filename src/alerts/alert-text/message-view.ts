/** A piece of a message's text, in reading order. `break` separates attachments (or cards' sections). */
export type Segment =
  | { kind: 'text'; text: string }
  /** A field: a Slack attachment field (`title` and `value`) or section field (`value` only), a Teams fact. */
  | { kind: 'field'; title?: string; value: string }
  | { kind: 'break' };

/** The parts of a chat message the alert parser reads, whatever the platform. */
export interface MessageView {
  segments: Segment[];
  /** Colours the message shows its status with (Slack `danger`, `good`, `#2eb886`; Teams `Attention`, `2DC72D`), in order. */
  colors: string[];
  fromBot: boolean;
  ts?: string;
  threadTs?: string;
  channel?: string;
}
