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

/** Teams users of an audience as `refresh.userIds` wants them: Entra object ids (`aad:` taken off), at most 60. */
export function refreshUserIds(audience: readonly string[]): string[] {
  return audience
    .filter((u) => u.startsWith('aad:'))
    .map((u) => u.slice('aad:'.length))
    .slice(0, MAX_REFRESH_USERS);
}

/** The first block whose buttons are for some people only (an approval request), if any. */
export function personalBlock(blocks: readonly Block[]): ActionsBlock | undefined {
  return blocks.find((b): b is ActionsBlock => b.kind === 'actions' && b.audience !== undefined);
}

/**
 * The `refresh` of a card with buttons for some people only: Teams asks the bot (an `adaptiveCard/action`
 * invoke with REFRESH_VERB) for the view of each person it names, and anyone can refresh by hand.
 */
export function cardRefresh(block: ActionsBlock): CardElement {
  return {
    action: {
      type: 'Action.Execute',
      title: 'Refresh',
      verb: REFRESH_VERB,
      data: { ref: block.actions[0]?.ref ?? '' },
    },
    userIds: refreshUserIds(block.audience ?? []),
  };
}

/** What everyone else sees instead of the buttons: who has them. */
export function audienceNote(block: ActionsBlock): CardElement {
  const labels = block.actions.map((a) => a.label).join(' / ');
  return {
    type: 'TextBlock',
    text: `${labels}: shown to the requester and the approvers named (refresh the card to see your view).`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
  };
}

/** An actions block as card elements: its buttons, or, for someone outside its audience, the note. */
export function actionsElements(block: ActionsBlock, personal: boolean): CardElement[] {
  if (block.audience !== undefined && !personal) return [audienceNote(block)];
  return actionSets(block.actions.map(executeAction));
}
