import { z } from 'zod';
import { alertRoutingInputSchema } from './alert-routing.js';
import { alertCooldownMinutesSchema } from './alerts.js';

/**
 * Pauses between the outbox's tries of a post Slack refused (5 s, 15 s, 30 s, 1, 2, 5 and 10 min: an outage of
 * about 19 minutes loses nothing); after the last one the post is given up.
 */
export const DEFAULT_OUTBOX_DELAYS_SECONDS: readonly number[] = [5, 15, 30, 60, 120, 300, 600];

const channelId = z.string().regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel id such as C0123ABCD');

/** The `slack` section: where the bot reads alerts, where it posts, whom it mentions. */
export const chatSchema = z
  .object({
    /** Channel ids where the bot reads alert posts and answers in their thread. */
    incidentChannels: z.array(channelId).default([]),
    /** Slack user group id mentioned on severe escalations, e.g. S0123ABCD. */
    onCallUserGroup: z
      .string()
      .regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id such as S0123ABCD')
      .optional(),
    /** Channel where Alertmanager webhook notifications are posted. */
    alertChannel: channelId.optional(),
    /** The old name of `alerts.cooldownMinutes`, still read when that is not set (alerts.ts decides). */
    alertCooldownMinutes: alertCooldownMinutesSchema.optional(),
    /** The old name of `alerts.routing`, still read for a field `alerts.routing` leaves out (alerts.ts decides). */
    alertRouting: alertRoutingInputSchema.optional(),
    /** The outbox of posts Slack refused through its retries (an outage): how long it keeps trying. */
    outbox: z
      .object({
        /** Seconds between its tries; their sum is the longest Slack outage that loses no post. */
        delaysSeconds: z
          .array(z.number().positive().max(3600))
          .min(1)
          .max(100)
          .default([...DEFAULT_OUTBOX_DELAYS_SECONDS]),
      })
      .strict()
      .prefault({}),
    /**
     * Which workspaces the bot serves: clicks and commands signed by another are refused for every action
     * that changes something. Unset, the workspace the bot token belongs to (auth.test at start-up). On
     * Enterprise Grid: the organization's id and the workspaces (team ids) whose people the policy names.
     */
    workspace: z
      .object({
        enterpriseId: z
          .string()
          .regex(/^E[A-Z0-9]+$/, 'expected an Enterprise Grid organization id such as E0123ABCD')
          .optional(),
        teamIds: z.array(z.string().regex(/^T[A-Z0-9]+$/, 'expected a Slack team id such as T0123ABCD')).min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The `slack` section as the bot reads it: the alert settings are `Config['alerts']`, whichever key set them. */
export type ChatConfig = Omit<z.infer<typeof chatSchema>, 'alertCooldownMinutes' | 'alertRouting'>;
