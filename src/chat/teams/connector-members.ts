import { z } from 'zod';
import { ChatError } from '../../core/ports/chat.js';

/**
 * A member as the Bot Connector answers `GET …/conversations/{id}/members/{userId}` (Get single member
 * details): `id` is the Teams user id (an MRI, `29:…`); the Entra object id is `objectId` on the wire
 * (`aadObjectId` in the SDKs' TeamsChannelAccount).
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/get-teams-context#get-single-member-details
 */
const memberAnswer = z.object({
  id: z.string().min(1).max(512),
  objectId: z.string().max(64).optional(),
  aadObjectId: z.string().max(64).optional(),
});

/** A member of a conversation: their Teams user id (MRI) and their Entra object id, when they have one. */
export interface ConversationMember {
  id: string;
  aadObjectId?: string;
}

/** The member an answer names, or a ChatError when it is not one. */
export function parseMember(answer: unknown): ConversationMember {
  const parsed = memberAnswer.safeParse(answer);
  if (!parsed.success) throw new ChatError('refused', 'connector_unexpected_answer');
  const aadObjectId = parsed.data.aadObjectId ?? parsed.data.objectId;
  return { id: parsed.data.id, ...(aadObjectId ? { aadObjectId } : {}) };
}
