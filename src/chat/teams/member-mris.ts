import { isEntraObjectId } from '../../config/access-ids.js';
import type { Logger } from '../../core/logging.js';
import type { AudienceMember } from '../../core/message.js';
import { ChatError } from '../../core/ports/chat.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { channelOf, type Activity } from './activity.js';
import { audiencePeople } from './audience-people.js';
import type { BotConnector, ConversationAt } from './bot-connector.js';
import type { EntraGroupMembers } from './graph-members.js';
import { MAX_REFRESH_USERS } from './render/card-actions.js';

/** A Teams user id (MRI) as Teams gives it: `29:` and an opaque rest. */
const MRI = /^29:\S{1,500}$/;
/** How long a replica keeps an MRI it learned or looked up; the state store keeps looked-up ones a day. */
const MEMORY_TTL_MS = 3600_000;
const STORE_TTL_MS = 24 * 3600_000;
/** How long someone the connector does not find there (404) is not asked for again (each refresh would ask). */
const MISSING_TTL_MS = 10 * 60_000;
/** Past this many entries the oldest are dropped (people come and go; a tenant's approvers are few). */
const MEMORY_MAX = 10_000;
/** The most people one card asks the connector about (approver groups can be large; most are found at once). */
const MAX_LOOKUPS = 4 * MAX_REFRESH_USERS;

/**
 * The Teams user ids (MRIs, `29:…`) of the people a card's per-person buttons are for, which `refresh.userIds`
 * takes (User Specific Views), where the access policy names people `aad:<Entra object id>`.
 */
export interface MemberMris {
  /** Remembers the MRI of a verified activity's sender, which Teams names beside their object id (no call). */
  learn(from: Activity['from']): void;
  /**
   * The MRIs of an audience's Teams users for a card in conversation `at`, in its order (the requester, the
   * approvers named, then the members of its Entra ID groups, `audiencePeople`): remembered, else kept in the
   * state store, else asked of the Bot Connector (Get single member details, by object id). Someone who
   * cannot be found (not in that conversation: 404, not asked again for 10 minutes; the connector failing)
   * is left out, logged at debug: they can still refresh the card by hand. At most MAX_REFRESH_USERS + 1:
   * one more than Teams takes tells the card that the list was cut.
   */
  refreshUserIds(at: ConversationAt, audience: readonly AudienceMember[]): Promise<string[]>;
}

export interface MemberMrisOptions {
  connector: Pick<BotConnector, 'member'>;
  /** Shared by the replicas (absent: memory only). */
  store?: StateStore;
  /** The members of an audience's Entra ID groups (Microsoft Graph; absent: groups are left out). */
  groupMembers?: EntraGroupMembers;
  logger: Logger;
  now?: () => number;
}

/** The MRI the connector answers for `objectId` at `at`, or why there is none (`missing`: not a member there). */
async function lookUp(
  o: MemberMrisOptions,
  at: ConversationAt,
  objectId: string,
): Promise<string | { why: string; missing?: boolean }> {
  try {
    const member = await o.connector.member(at, objectId);
    if (!MRI.test(member.id)) return { why: 'the connector answered an id that is not an MRI' };
    if (member.aadObjectId && member.aadObjectId.toLowerCase() !== objectId)
      return { why: 'the connector answered another member' };
    return member.id;
  } catch (err) {
    const missing = err instanceof ChatError && err.kind === 'not_in_channel';
    return { why: err instanceof Error ? err.message : String(err), ...(missing ? { missing } : {}) };
  }
}

/**
 * The first MAX_REFRESH_USERS + 1 MRIs `find` gives for `people`, asked in order, a round at a time (each round
 * only as many as are still wanted), and no more than MAX_LOOKUPS people in all.
 */
async function firstFound(people: readonly string[], find: (u: string) => Promise<string | undefined>) {
  const found = new Set<string>();
  const asked = people.slice(0, MAX_LOOKUPS);
  let next = 0;
  while (found.size <= MAX_REFRESH_USERS && next < asked.length) {
    const round = asked.slice(next, next + MAX_REFRESH_USERS + 1 - found.size);
    next += round.length;
    for (const mri of await Promise.all(round.map(find))) if (mri !== undefined) found.add(mri);
  }
  return [...found].slice(0, MAX_REFRESH_USERS + 1);
}

export function memberMris(o: MemberMrisOptions): MemberMris {
  const now = o.now ?? Date.now;
  const logger = o.logger.child({ component: 'teams-members' });
  const memory = new Map<string, { mri: string; until: number }>();
  const missing = new Map<string, number>();
  const storeKey = (objectId: string) => `teams:member-mri:${objectId}`;
  const keep = (objectId: string, mri: string) => {
    memory.delete(objectId);
    memory.set(objectId, { mri, until: now() + MEMORY_TTL_MS });
    if (memory.size > MEMORY_MAX) memory.delete(memory.keys().next().value ?? objectId);
  };
  const leftOut = (objectId: string, at: ConversationAt, why: string) => {
    logger.debug(
      { objectId, conversation: at.conversationId, why },
      "left a Teams user out of a card's refresh.userIds",
    );
    return undefined;
  };

  async function mriOf(at: ConversationAt, objectId: string): Promise<string | undefined> {
    const known = memory.get(objectId);
    if (known && known.until > now()) return known.mri;
    if ((missing.get(objectId) ?? 0) > now()) return leftOut(objectId, at, 'not found there a moment ago');
    const stored = await o.store?.get(storeKey(objectId)).catch(() => undefined);
    const found = stored && MRI.test(stored) ? stored : await lookUp(o, at, objectId);
    if (typeof found !== 'string') {
      if (found.missing) missing.set(objectId, now() + MISSING_TTL_MS);
      if (missing.size > MEMORY_MAX) missing.clear();
      return leftOut(objectId, at, found.why);
    }
    keep(objectId, found);
    if (found !== stored)
      await o.store?.set(storeKey(objectId), found, STORE_TTL_MS).catch((err: unknown) => {
        logger.debug({ err }, 'could not keep a Teams MRI in the state store');
      });
    return found;
  }

  return {
    learn(from) {
      const objectId = from.aadObjectId?.toLowerCase();
      if (objectId && isEntraObjectId(objectId) && MRI.test(from.id)) keep(objectId, from.id);
    },
    async refreshUserIds(at, audience) {
      // Members are looked up in the team (as the Agents SDK's TeamsInfo.getMember does), else in the channel
      // or chat, never in the thread the card is in.
      const where = { ...at, conversationId: at.teamId ?? channelOf(at.conversationId) };
      const teamsUsers = (await audiencePeople(audience, o.groupMembers, logger)).filter(
        (u) => u.startsWith('aad:') || (u.startsWith('teams:') && MRI.test(u.slice('teams:'.length))),
      );
      return firstFound(teamsUsers, async (u) => {
        if (u.startsWith('teams:')) return u.slice('teams:'.length);
        const objectId = u.slice('aad:'.length).toLowerCase();
        return isEntraObjectId(objectId) ? mriOf(where, objectId) : leftOut(objectId, where, 'not an object id');
      });
    },
  };
}
