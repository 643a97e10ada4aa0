import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { SlackBotSettings } from '../../config/bot-settings.js';
import type { HostContext } from '../../core/feature.js';
import { durationMs } from '../../core/format.js';
import type { IntakeGate } from '../../core/intake.js';
import type { Logger } from '../../core/logging.js';
import { describeStartFailure, SlackStartError, type BoltApp } from './bolt-app.js';
import type { InstalledWorkspace } from '../../remediation/policy.js';
import type { StateStore } from '../../core/ports/state-store.js';
import { replayGuardFor } from './shared-replay-guard.js';
import { slackEventsRoute } from './slack-events-route.js';

export const DEFAULT_CONNECTION_DOWN_LIMIT_MS = 5 * 60_000;

export interface SlackLifecycleOptions {
  bolt: BoltApp;
  settings: SlackBotSettings;
  logger: Logger;
  now: () => number;
  /** Liveness fails once the Socket Mode connection has been down this long (default 5 min). */
  connectionDownLimitMs?: number;
  /** The host's intake gate: told of every Slack request as it arrives. */
  intake?: IntakeGate;
  /** Told the workspace the bot token belongs to (auth.test) before the server listens. */
  onInstalled?: (workspace: InstalledWorkspace) => void;
  /** Where the signatures of verified requests are kept: shared, a replay is refused on every replica. */
  replayStore?: StateStore;
}

/** Socket Mode: connected since the last hello, or down since when (start-up counts as down). */
function watchConnection(receiver: SocketModeReceiver, now: () => number): { downSince: number | undefined } {
  const socket: { downSince: number | undefined } = { downSince: now() };
  receiver.client.on('connected', () => void (socket.downSince = undefined));
  for (const state of ['disconnected', 'reconnecting', 'close'])
    receiver.client.on(state, () => void (socket.downSince ??= now()));
  return socket;
}

/** Socket Mode connects as a worker once the server listens; liveness fails when it stays down too long. */
function registerSocketMode(host: HostContext, receiver: SocketModeReceiver, o: SlackLifecycleOptions) {
  const socket = watchConnection(receiver, o.now);
  const limitMs = o.connectionDownLimitMs ?? DEFAULT_CONNECTION_DOWN_LIMIT_MS;
  // A bad app token loops on apps.connections.open for ever; only a restart (with a fixed secret) helps.
  host.liveness('slack-connection', () => {
    const downMs = socket.downSince === undefined ? 0 : o.now() - socket.downSince;
    if (downMs <= limitMs) return { ok: true };
    const down = `${durationMs(downMs)} (limit ${durationMs(limitMs)})`;
    return { ok: false, detail: `the Socket Mode connection has been down for ${down}; check SLACK_APP_TOKEN` };
  });
  host.worker({
    name: 'slack-socket-mode',
    async start() {
      try {
        await receiver.start();
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new SlackStartError(
          `Could not open the Socket Mode connection: ${why}. Check SLACK_APP_TOKEN (an app-level token with ` +
            'connections:write) and that Socket Mode is enabled for the app.',
        );
      }
    },
    stop: () => receiver.stop(),
  });
  return socket;
}

/**
 * How the Slack front end runs on the host: in HTTP mode the `POST /slack/events` route (with replay
 * protection); the bot token verified (auth.test) before the server listens; in Socket Mode the
 * connection as a worker; readiness until both hold.
 */
export function registerSlackLifecycle(host: HostContext, o: SlackLifecycleOptions): void {
  const { app, receiver } = o.bolt;
  if (receiver instanceof HTTPReceiver && o.settings.mode === 'http') {
    host.route(
      slackEventsRoute({
        receiver,
        signingSecret: o.settings.signingSecret,
        guard: replayGuardFor({ ...(o.replayStore ? { store: o.replayStore } : {}), now: o.now, logger: o.logger }),
        logger: o.logger,
        now: o.now,
        ...(o.intake ? { intake: o.intake } : {}),
      }),
    );
  }
  let authOk = false;
  host.beforeStart(async () => {
    try {
      await app.init();
      const auth = await app.client.auth.test();
      if (auth.team_id)
        o.onInstalled?.({ teamId: auth.team_id, ...(auth.enterprise_id ? { enterpriseId: auth.enterprise_id } : {}) });
      authOk = true;
    } catch (err) {
      throw new SlackStartError(describeStartFailure(err, o.bolt.apiUrl));
    }
  });
  const socket = receiver instanceof SocketModeReceiver ? registerSocketMode(host, receiver, o) : undefined;
  host.readiness('slack', () => {
    if (!authOk) return { ok: false, detail: 'auth.test has not succeeded yet (SLACK_BOT_TOKEN verified at start-up)' };
    if (socket?.downSince === undefined) return { ok: true };
    const since = new Date(socket.downSince).toISOString();
    return { ok: false, detail: `the Socket Mode connection is down since ${since} (check SLACK_APP_TOKEN)` };
  });
}
