import { z } from 'zod';

/** A Teams channel (or team) conversation id as the Bot Framework names it: `19:<id>@thread.tacv2`. */
const TEAMS_CHANNEL = /^19:[^\s;/]+@thread\.(tacv2|skype)$/;

/** Says what is wrong with a channel id, the way people tend to get it wrong (copied from a link, URL-encoded). */
function channelIdProblem(value: string): string | undefined {
  if (TEAMS_CHANNEL.test(value)) return undefined;
  const decoded = /%3a|%40/i.test(value) ? ` (it looks URL-encoded: decode %3a to : and %40 to @)` : '';
  return (
    `"${value.slice(0, 80)}" is not a Teams channel id${decoded}; expected 19:<id>@thread.tacv2, the part of ` +
    `the channel's link (Get link to channel) after /channel/`
  );
}

const channelId = z.string().superRefine((value, ctx) => {
  const problem = channelIdProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * The `teams` section: where the bot posts Alertmanager notifications and which channels' alert posts it
 * reads, in Microsoft Teams (issue 22). The alert routing and the cooldown are the `alerts` section's
 * (`alerts.routing`, `alerts.cooldownMinutes`), shared by every platform.
 *
 * @example
 * # session-ttl.yaml
 * teams:
 *   alertChannel: 19:1a2b3c4d5e6f@thread.tacv2
 *   incidentChannels: [19:9f8e7d6c5b4a@thread.tacv2]
 */
export const teamsChatSchema = z
  .object({
    /** Channel where Alertmanager webhook notifications are posted (the app must be installed in its team). */
    alertChannel: channelId.optional(),
    /** Channels whose alert posts by other bots the bot reads and answers in their thread (needs RSC). */
    incidentChannels: z.array(channelId).default([]),
  })
  .strict();

export type TeamsChatConfig = z.infer<typeof teamsChatSchema>;
