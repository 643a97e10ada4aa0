import type { AudienceMember, Message } from '../../core/message.js';
import { channelOf, teamOf, type Activity } from './activity.js';
import { entraGroupsOf } from './audience-people.js';
import { cardResponse, messageResponse, type InvokeResponse } from './card-action.js';
import type { CardMemory } from './card-memory.js';
import type { ClickAnswer } from './click-context.js';
import { teamsUserId } from './command-context.js';
import type { TeamsGroups } from './graph-groups.js';
import type { MemberMris } from './member-mris.js';
import { adaptiveCard, type CardBudget } from './render/adaptive-card.js';
import { personalBlock } from './render/card-actions.js';
import { formCard } from './render/form-card.js';

/** The verb of "Show the result": a form a click kept working on after its invoke was answered. */
export const SHOW_VERB = 'form:show';

const showButton = (slot: string, title: string) => ({
  type: 'Action.Execute',
  title,
  verb: SHOW_VERB,
  data: { ref: slot },
});

/** What a card's per-person view needs: the MRIs of its people, and the viewer's Entra ID groups. */
export interface ViewDeps {
  members: MemberMris;
  /** The viewer's groups among an audience's Entra ID groups (Microsoft Graph, cached as for the policy). */
  groups: TeamsGroups;
}

/**
 * Whether the buttons are for `from`: named, or in one of the audience's Entra ID groups. A group lookup
 * that fails (logged where it failed) counts as not: they see the note, and the server decides clicks anyway.
 */
async function isFor(groups: TeamsGroups, from: Activity['from'], audience: readonly AudienceMember[]) {
  if (audience.includes(teamsUserId(from))) return true;
  const entra = entraGroupsOf(audience);
  if (!entra.length) return false;
  return (await groups(from, entra).catch(() => [])).length > 0;
}

/**
 * How the clicker (the signed activity's user) sees `message`'s card: its per-person buttons when they are
 * among their people, and the MRIs Teams refreshes it for (remembered since it was posted, or looked up).
 */
async function viewOf(deps: ViewDeps, activity: Activity, message: Message): Promise<CardBudget> {
  const audience = personalBlock(message.blocks)?.audience;
  if (!audience) return {};
  const at = { serviceUrl: activity.serviceUrl, conversationId: activity.conversation.id, ...teamOf(activity) };
  const [personal, refreshUserIds] = await Promise.all([
    isFor(deps.groups, activity.from, audience),
    deps.members.refreshUserIds(at, audience),
  ]);
  return { personal, refreshUserIds };
}

/**
 * What a click's invoke answers: the open form (with "Show the result" when the work goes on), else the
 * reply (a refusal, an acknowledgement) as a message, else the clicked card as updated (the clicker's
 * view of it), else a word that it was done or is still going on.
 */
export async function answerClick(answer: ClickAnswer, deps: ViewDeps, activity: Activity): Promise<InvokeResponse> {
  if (answer.form) {
    const more = answer.late ? [showButton(answer.slot, 'Show the result')] : [];
    return cardResponse(formCard(answer.form, more));
  }
  if (answer.reply) return messageResponse(answer.reply.text);
  if (answer.clicked) return cardResponse(adaptiveCard(answer.clicked, await viewOf(deps, activity, answer.clicked)));
  return messageResponse(answer.late ? 'Working on it: the result will be posted in this thread.' : 'Done.');
}

/**
 * A card's refresh: the view of the person refreshing (the signed activity's user) of the message with
 * per-person buttons kept at the clicked card, with its buttons when they are for that person. Nothing runs.
 */
export async function refreshedView(memory: CardMemory, deps: ViewDeps, activity: Activity): Promise<InvokeResponse> {
  const at = activity.replyToId;
  const message = at ? await memory.postedAt({ channel: channelOf(activity.conversation.id), ts: at }) : undefined;
  if (!message) return messageResponse('This card has no newer view; its thread says what happened.');
  return cardResponse(adaptiveCard(message, await viewOf(deps, activity, message)));
}

/** "Show the result": the form kept for the clicker (only them: a preview is theirs). */
export async function shownForm(memory: CardMemory, activity: Activity, slot: string): Promise<InvokeResponse> {
  const kept = await memory.formOf(slot);
  if (!kept)
    return messageResponse('That result is no longer kept (30 minutes); click the button in the report again.');
  if (kept.owner !== teamsUserId(activity.from))
    return messageResponse('That preview was opened by someone else; click the button in the report for your own.');
  const again = kept.form.submit ? [] : [showButton(slot, 'Refresh')];
  return cardResponse(formCard(kept.form, again));
}
