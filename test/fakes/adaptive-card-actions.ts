/**
 * The action parts of an Adaptive Card 1.5 as Teams takes them (part of the fake connector's validator):
 * `Action.Execute` (Universal Actions) and `Action.OpenUrl` in ActionSets and in `actions`, the card's
 * `refresh`, and the inputs a form card carries.
 * https://adaptivecards.io/explorer/Action.Execute.html, https://adaptivecards.io/explorer/Refresh.html
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views
 *
 * Teams documents no size limit of its own for an Action.Execute's `data` (only the 28 KB message); this
 * validator holds the bot's cards to 1 KB, since their data is only the opaque ref a button carries.
 */
export const MAX_EXECUTE_DATA_BYTES = 1024;
/** Teams refreshes a card automatically for at most 60 users (`refresh.userIds`). */
export const MAX_REFRESH_USER_IDS = 60;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const STYLES = ['default', 'positive', 'destructive'];

/** What is wrong with one action (Action.Execute or Action.OpenUrl, the two the bot sends). */
export function actionViolations(at: string, a: unknown): string[] {
  if (!isObject(a) || typeof a.type !== 'string') return [`${at}: not an action`];
  const problems: string[] = [];
  if (a.style !== undefined && !(typeof a.style === 'string' && STYLES.includes(a.style)))
    problems.push(`${at}.style: ${JSON.stringify(a.style).replace(/^"|"$/g, '')} is not one of ${STYLES.join('|')}`);
  if (a.type === 'Action.OpenUrl') {
    if (typeof a.url !== 'string') problems.push(`${at}.url: missing`);
    return problems;
  }
  if (a.type !== 'Action.Execute') return [`${at}: ${a.type} is not Action.Execute or Action.OpenUrl`];
  if (typeof a.verb !== 'string' || a.verb === '') problems.push(`${at}.verb: missing`);
  if (a.title !== undefined && typeof a.title !== 'string') problems.push(`${at}.title: not a string`);
  if (a.data !== undefined) {
    if (!isObject(a.data)) problems.push(`${at}.data: not an object`);
    const bytes = Buffer.byteLength(JSON.stringify(a.data));
    if (bytes > MAX_EXECUTE_DATA_BYTES) problems.push(`${at}.data: ${bytes} bytes, over ${MAX_EXECUTE_DATA_BYTES}`);
  }
  return problems;
}

/** What is wrong with a list of actions (an ActionSet's or the card's). */
export function actionsViolations(at: string, actions: unknown): string[] {
  if (!Array.isArray(actions) || actions.length === 0) return [`${at}: no actions`];
  return actions.flatMap((a, i) => actionViolations(`${at}[${i}]`, a));
}

/** A Teams user id (MRI) as `refresh.userIds` takes them ("<Megan's user MRI>"): `29:…`, not an Entra object id. */
const MRI = /^29:\S+$/;

/** What is wrong with a card's `refresh`: an Action.Execute, and at most 60 user ids, each an MRI. */
export function refreshViolations(refresh: unknown): string[] {
  if (refresh === undefined) return [];
  if (!isObject(refresh)) return ['refresh: not an object'];
  const problems = actionViolations('refresh.action', refresh.action);
  if (isObject(refresh.action) && refresh.action.type !== 'Action.Execute')
    problems.push('refresh.action: must be Action.Execute');
  const ids = refresh.userIds;
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((u) => typeof u !== 'string' || u === ''))
      problems.push('refresh.userIds: not a list of user ids');
    else if (ids.length > MAX_REFRESH_USER_IDS)
      problems.push(`refresh.userIds: ${ids.length} users, over ${MAX_REFRESH_USER_IDS}`);
    else
      ids.forEach((u: string, i) => {
        if (!MRI.test(u)) problems.push(`refresh.userIds[${i}]: ${u} is not a Teams user id (MRI, 29:…)`);
      });
  }
  return problems;
}

export const INPUTS = new Set(['Input.Text', 'Input.Number', 'Input.ChoiceSet']);

/** What is wrong with an input: an id (the key of its value in the click's data) and a label. */
export function inputViolations(at: string, el: Json): string[] {
  const problems: string[] = [];
  if (typeof el.id !== 'string' || el.id === '') problems.push(`${at}.id: missing`);
  if (typeof el.label !== 'string') problems.push(`${at}.label: missing`);
  if (el.type === 'Input.ChoiceSet') {
    const choices = Array.isArray(el.choices) ? el.choices : [];
    if (!choices.length) problems.push(`${at}.choices: empty`);
    choices.forEach((c, i) => {
      if (!isObject(c) || typeof c.title !== 'string' || typeof c.value !== 'string')
        problems.push(`${at}.choices[${i}]: title and value must be strings`);
    });
  }
  return problems;
}
