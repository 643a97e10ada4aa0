import type { Action, Block } from '../../../core/message.js';

type CardElement = Record<string, unknown>;
type ActionsBlock = Extract<Block, { kind: 'actions' }>;

/** The verb of a card's `refresh`: the invoke asks for the card as the person refreshing it should see it. */
export const REFRESH_VERB = 'refresh';
/** Teams refreshes a card by itself for at most 60 people (`refresh.userIds`); the rest refresh by hand. */
export const MAX_REFRESH_USERS = 60;
/** Buttons per row: a longer row wraps badly on a phone. */
const ROW = 5;

const STYLE = { primary: 'positive', danger: 'destructive' } as const;

/**
 * A neutral button as a Universal Action: `verb` is the command, `data` only the opaque ref the button
 * carries. Who clicked where comes from the signed invoke, never from `data`.
 */
export function executeAction(a: Action): CardElement {
  return {
    type: 'Action.Execute',
    title: a.label,
    verb: a.command,
    data: { ref: a.ref },
    ...(a.style ? { style: STYLE[a.style] } : {}),
  };
}

/** The buttons as ActionSets of at most five. */
export function actionSets(actions: readonly CardElement[]): CardElement[] {
  const sets: CardElement[] = [];
  for (let i = 0; i < actions.length; i += ROW) sets.push({ type: 'ActionSet', actions: actions.slice(i, i + ROW) });
  return sets;
}

/** What a card shows of its per-person buttons: whose view it is, and whom Teams refreshes it for. */
export interface AudienceView {
  /** The view of someone the buttons are for: they are shown. */
  personal: boolean;
  /**
   * The Teams user ids (MRIs, `29:…`) of the people the buttons are for, found by the caller (`member-mris.ts`;
   * rendering does no I/O): `refresh.userIds`. Empty: none could be found, and the note says to refresh by hand.
   */
  refreshUserIds?: readonly string[];
}

/** The first block whose buttons are for some people only (an approval request), if any. */
export function personalBlock(blocks: readonly Block[]): ActionsBlock | undefined {
  return blocks.find((b): b is ActionsBlock => b.kind === 'actions' && b.audience !== undefined);
}

/**
 * The `refresh` of a card with buttons for some people only: Teams asks the bot (an `adaptiveCard/action`
 * invoke with REFRESH_VERB) for the view of each person `userIds` names (MRIs, at most 60), and anyone can
 * refresh by hand. Without ids Teams refreshes it by itself for everyone of a conversation of at most 60.
 */
export function cardRefresh(block: ActionsBlock, userIds: readonly string[] = []): CardElement {
  return {
    action: {
      type: 'Action.Execute',
      title: 'Refresh',
      verb: REFRESH_VERB,
      data: { ref: block.actions[0]?.ref ?? '' },
    },
    ...(userIds.length ? { userIds: userIds.slice(0, MAX_REFRESH_USERS) } : {}),
  };
}

/**
 * What everyone else sees instead of the buttons: who has them, and whether Teams refreshes the card for them
 * (`refreshUserIds` empty: Teams could not be told who; more than MAX_REFRESH_USERS: only for the first ones).
 */
export function audienceNote(block: ActionsBlock, refreshUserIds?: readonly string[]): CardElement {
  const labels = block.actions.map((a) => a.label).join(' / ');
  const refresh =
    refreshUserIds?.length === 0
      ? '; Teams could not be told who they are, so refresh the card (message options, Refresh) to see your view.'
      : (refreshUserIds?.length ?? 0) > MAX_REFRESH_USERS
        ? `; Teams refreshes it by itself for the first ${MAX_REFRESH_USERS} of them only, so the others refresh ` +
          'the card (message options, Refresh) to see their view.'
        : ' (refresh the card to see your view).';
  return {
    type: 'TextBlock',
    text: `${labels}: shown to the requester and the approvers named${refresh}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
  };
}

/** An actions block as card elements: its buttons, or, for someone outside its audience, the note. */
export function actionsElements(block: ActionsBlock, view: AudienceView): CardElement[] {
  if (block.audience !== undefined && !view.personal) return [audienceNote(block, view.refreshUserIds)];
  return actionSets(block.actions.map(executeAction));
}
