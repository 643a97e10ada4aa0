import type { CommandContext } from '../../commands/context.js';
import type { Dispatcher } from '../../commands/dispatch.js';
import { DECISION_COMMANDS, FIX_COMMAND_PREFIX, FIX_FORM, type FixCommands } from '../../commands/fix/index.js';
import type { InFlight } from '../../core/feature.js';
import type { Logger } from '../../core/logging.js';
import { clip } from '../../core/message.js';
import type { Activity } from './activity.js';
import type { BotConnector } from './bot-connector.js';
import type { VerifiedActivity } from './bot-token.js';
import { badClickResponse, parseCardClick, type CardClick, type InvokeResponse } from './card-action.js';
import type { CardMemory } from './card-memory.js';
import { answerClick, refreshedView, shownForm, SHOW_VERB } from './click-answers.js';
import { teamsClickContext, type ClickAnswer } from './click-context.js';
import type { TeamsGroups } from './graph-groups.js';
import type { MemberMris } from './member-mris.js';
import { REFRESH_VERB } from './render/card-actions.js';

export interface CardClickDeps {
  dispatcher: Dispatcher;
  /** The fix use cases (absent: the bot has no remediation, and fix buttons say so). */
  fix?: FixCommands;
  connector: BotConnector;
  /** The clicker's Entra ID groups, read by the access policy. */
  groups: TeamsGroups;
  /** The MRIs of an approval request's people, for its refresh. */
  members: MemberMris;
  memory: CardMemory;
  work: InFlight;
  logger: Logger;
  /**
   * How long an invoke waits for its work before it answers with what it has (Teams gives an invoke
   * about five seconds, then tells the person the app could not be reached).
   */
  deadlineMs: number;
}

type Run = (ctx: CommandContext) => Promise<void>;

const NO_FIXES = 'Fixes are not enabled on this bot (it has no remediation state store); nothing was done.';

/** The work a click's verb runs (the same use cases as Slack's buttons), or why there is none. */
function routeOf(deps: CardClickDeps, click: CardClick): Run | string {
  const { verb, ref } = click;
  const fix = deps.fix;
  const decision = DECISION_COMMANDS.find((c) => c === verb);
  if (verb.startsWith(FIX_COMMAND_PREFIX)) return fix ? (ctx) => fix.preview(ctx, ref) : NO_FIXES;
  if (decision) return fix ? (ctx) => fix.decide(ctx, decision, ref) : NO_FIXES;
  if (verb === FIX_FORM) {
    if (!fix) return NO_FIXES;
    return async (ctx) => {
      const submission = { kind: FIX_FORM, ref, values: click.values };
      // The progress form is the answer if the request takes longer than the invoke may wait.
      const form = await ctx.openForm?.(fix.progress(submission));
      if (form) await fix.submit(ctx, submission, form);
    };
  }
  if (deps.dispatcher.commands.get(verb)?.button) return (ctx) => deps.dispatcher.button(ctx, { command: verb, ref });
  return `Unknown action "${clip(verb, 64)}": this button is not one I know. Run the command again for a fresh card.`;
}

/** Resolves true when `work` ends within `ms`, false when the deadline comes first. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An `adaptiveCard/action` invoke (a click on an Action.Execute, or a card's refresh), answered with the
 * body Teams expects: the click's verb re-enters the chat-neutral use cases (FixCommands, the dispatcher's
 * button commands) with the actor taken from the signed activity; the answer is the clicker's new view of
 * the card (a form, the updated card) or a message. Work that outlasts `deadlineMs` goes on: its result is
 * posted in the thread, or kept for "Show the result". A malformed click or an unknown verb changes nothing.
 */
export async function answerCardClick(
  deps: CardClickDeps,
  activity: Activity,
  verified: VerifiedActivity,
  interrupted?: AbortSignal,
): Promise<InvokeResponse> {
  const parsed = parseCardClick(activity.value);
  const logger = deps.logger.child({ conversation: activity.conversation.id, invoke: activity.name });
  if (!parsed.ok) {
    logger.warn({ why: parsed.why }, 'refused a Teams card click');
    return badClickResponse(`That click cannot be taken: ${parsed.why}. Nothing was done.`);
  }
  const { click } = parsed;
  if (click.verb === REFRESH_VERB) return refreshedView(deps.memory, deps, activity);
  if (click.verb === SHOW_VERB) return shownForm(deps.memory, activity, click.ref);
  const run = routeOf(deps, click);
  if (typeof run === 'string') {
    logger.warn({ verb: clip(click.verb, 64) }, 'refused a Teams card click with an unknown verb');
    return badClickResponse(run);
  }
  const answer: ClickAnswer = { late: false, slot: deps.memory.newSlot() };
  const ctx = teamsClickContext({
    activity,
    verified,
    text: `${click.verb} ${click.ref}`,
    connector: deps.connector,
    groups: deps.groups,
    members: deps.members,
    memory: deps.memory,
    answer,
    logger: logger.child({ button: clip(click.verb, 64) }),
    ...(interrupted ? { interrupted } : {}),
  });
  const work = deps.work
    .run(() => run(ctx))
    .catch((err: unknown) => {
      logger.error({ err }, 'a Teams card click failed');
    });
  if (!(await within(work, deps.deadlineMs))) {
    answer.late = true;
    if (answer.form) await deps.memory.keepForm(answer.slot, ctx.actor.userId, answer.form);
    logger.info({ deadlineMs: deps.deadlineMs }, 'answered a Teams click before its work ended');
  }
  return answerClick(answer, deps, activity);
}
