import { z } from 'zod';

/**
 * How the bot reaches Slack. Socket Mode when an app-level token is set (no public URL needed);
 * otherwise Slack calls `POST /slack/events`, verified with the signing secret.
 */
export type SlackConnection =
  | { mode: 'socket'; botToken: string; appToken: string; signingSecret?: string; slackApiUrl?: string }
  | { mode: 'http'; botToken: string; signingSecret: string; slackApiUrl?: string };

const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

// Messages name the variable and what is expected, never the value: these are secrets.
const slackSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) from OAuth & Permissions' })
    .trim()
    .min(1, 'SLACK_BOT_TOKEN is empty: set it to the bot token (xoxb-...) from OAuth & Permissions')
    .refine((v) => v.startsWith('xoxb-'), 'SLACK_BOT_TOKEN does not look like a bot token: it should start with xoxb-'),
  SLACK_APP_TOKEN: optional.refine(
    (v) => v === undefined || v.startsWith('xapp-'),
    'SLACK_APP_TOKEN does not look like an app-level token: it should start with xapp- (or unset it for HTTP mode)',
  ),
  SLACK_SIGNING_SECRET: optional.refine(
    (v) => v === undefined || /^[A-Za-z0-9]{16,}$/.test(v),
    'SLACK_SIGNING_SECRET does not look like a signing secret: ' +
      'expected the hex string from Basic Information > App Credentials',
  ),
  SLACK_API_URL: optional
    .refine(
      (v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v),
      'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/',
    )
    .transform((v) => (v === undefined || v.endsWith('/') ? v : `${v}/`)),
});

/** The variables that say Slack is wanted: any of them set (not blank) turns the Slack front end on. */
const SLACK_SWITCHES = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'] as const;

/** True when the environment sets any Slack credential: then all of Slack's must be right. */
export function slackWanted(env: NodeJS.ProcessEnv): boolean {
  return SLACK_SWITCHES.some((name) => Boolean(env[name]?.trim()));
}

/**
 * The Slack connection from the environment, or every problem with it at once (each naming its variable).
 *
 * @example
 * parseSlackSettings({ SLACK_BOT_TOKEN: 'xoxb-…', SLACK_APP_TOKEN: 'xapp-…' }) // { slack: { mode: 'socket', … }, problems: [] }
 */
export function parseSlackSettings(env: NodeJS.ProcessEnv): { slack?: SlackConnection; problems: string[] } {
  const parsed = slackSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  const appToken = parsed.success ? parsed.data.SLACK_APP_TOKEN : env.SLACK_APP_TOKEN?.trim();
  const signingSecret = parsed.success ? parsed.data.SLACK_SIGNING_SECRET : env.SLACK_SIGNING_SECRET?.trim();
  if (!appToken && !signingSecret) {
    problems.push(
      'SLACK_SIGNING_SECRET is not set: HTTP mode (no SLACK_APP_TOKEN) needs the signing secret from ' +
        'Basic Information > App Credentials; or set SLACK_APP_TOKEN (xapp-...) for Socket Mode',
    );
  }
  if (!parsed.success || problems.length) return { problems };
  const d = parsed.data;
  const common = { botToken: d.SLACK_BOT_TOKEN, slackApiUrl: d.SLACK_API_URL };
  if (d.SLACK_APP_TOKEN) {
    return {
      problems,
      slack: { ...common, mode: 'socket', appToken: d.SLACK_APP_TOKEN, signingSecret: d.SLACK_SIGNING_SECRET },
    };
  }
  // Without an app token the signing secret is set: its absence is one of the problems returned above.
  if (!d.SLACK_SIGNING_SECRET) return { problems };
  return { problems, slack: { ...common, mode: 'http', signingSecret: d.SLACK_SIGNING_SECRET } };
}
