/**
 * `npm run slack:local`: the whole Slack flow offline. Starts a fake Slack Web API on loopback, the real
 * bot (HTTP mode) pointed at it, and, without `--config`, a throwaway redis-server seeded with the demo's
 * faulty store (plus a second one for the bot's state). Prints what the bot posts as text, with numbered
 * buttons, and reads commands from the terminal:
 *
 *   /session-ttl diagnose demo     a slash command, signed as Slack signs it
 *   click 2                        clicks button [2] (a fix button opens the preview modal)
 *   submit policy=volatile-lru     submits the open modal, with inputs changed by name
 *   as U0BOB                       acts as another user from now on (approve as a second person)
 *   help, quit
 *
 * Each command waits until the bot has been quiet for a moment, so stdin can be a file of commands.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServerHandle } from '../src/demo/redis-process.js';
import { seedFaultyStore } from '../src/demo/seed-faulty-store.js';
import { FAKE_IDS, startFakeSlackApi, type SlackApiCall } from '../test/fakes/slack-api.js';
import { interactionRequest, sendSigned, sendSlashCommand } from '../test/fakes/slack-signing.js';

/** How long the bot may take to answer /readyz after it is spawned. */
const READY_TIMEOUT_MS = 120_000;

const SECRET = '0123456789abcdef0123456789abcdef';
const CHANNEL = 'C0LOCAL';
const USERS = ['U0ALICE', 'U0BOB'];
const ROOT = resolve(import.meta.dirname, '..');
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const textOf = (v: unknown): string => (isObject(v) && typeof v.text === 'string' ? v.text : '');
/** The label of a select option (`{ text: { text }, value }`). */
/** A string field of a payload object, '' when absent or not a string. */
const field = (o: Json, key: string): string => (typeof o[key] === 'string' ? o[key] : '');
const optionOf = (v: unknown): string => (isObject(v) ? textOf(v.text) : '');

interface Button {
  n: number;
  actionId: string;
  value: string;
  label: string;
  channel: string;
  ts: string;
}

/** The demo's store and a config for it (two SREs, one approval in production), or the user's config. */
async function environment(configFlag: string | undefined, dir: string) {
  const servers: RedisServerHandle[] = [];
  if (configFlag) return { config: resolve(configFlag), servers, stateUrl: process.env.STATE_REDIS_URL };
  const store = await startRedisServer();
  const state = await startRedisServer();
  servers.push(store, state);
  const client = new Redis(store.url);
  await seedFaultyStore(client, { sessions: 20_000, writerTtlSeconds: 3600, noTtlRatio: 0.02, now: Date.now });
  client.disconnect();
  const config = join(dir, 'session-ttl.json');
  const sre = { users: USERS };
  writeFileSync(
    config,
    JSON.stringify({
      environments: {
        demo: {
          profile: 'production',
          redis: { url: store.url },
          kubernetes: { manifests: join(ROOT, 'manifests/demo'), namespace: 'langgraph-agent' },
        },
      },
      access: {
        roles: { sre },
        channels: [CHANNEL],
        environments: { demo: { request: { '*': ['sre'] }, approve: { '*': ['sre'] }, approvals: 1 } },
      },
    }),
  );
  return { config, servers, stateUrl: state.url };
}

/** The newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) => {
      const path = join(dir, e.name);
      return e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

/** `node dist/main.js` when the build is newer than every source file, else the sources under tsx. */
function botCommand(): string[] {
  const built = join(ROOT, 'dist/main.js');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src'));
  return fresh ? [built] : ['--import', 'tsx', join(ROOT, 'src/main.ts')];
}

async function startBot(config: string, apiUrl: string, stateUrl: string | undefined) {
  const port = await freePort();
  const bot: ChildProcess = spawn(process.execPath, [...botCommand(), '--config', config], {
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: 'xoxb-local',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_APP_TOKEN: '',
      SLACK_API_URL: apiUrl,
      PORT: String(port),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(stateUrl ? { STATE_REDIS_URL: stateUrl } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  // Starting under tsx takes seconds, a minute or more on a loaded machine.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (bot.exitCode !== null) throw new Error(`the bot exited with code ${bot.exitCode}`);
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { bot, base };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the bot did not become ready within ${READY_TIMEOUT_MS / 1000} s`);
}

/** Block Kit as lines of text; buttons are numbered and remembered for `click`. */
function blockLines(blocks: unknown, onButton: (actionId: string, value: string, label: string) => number): string[] {
  return list(blocks).flatMap((b): string[] => {
    if (!isObject(b)) return [];
    switch (b.type) {
      case 'header':
        return [`== ${textOf(b.text)} ==`];
      case 'section':
        return [textOf(b.text), ...list(b.fields).map((f) => `  ${textOf(f)}`)].filter(Boolean);
      case 'context':
        return [list(b.elements).map(textOf).join(' ')];
      case 'divider':
        return ['--'];
      case 'actions':
        return [
          list(b.elements)
            .filter(isObject)
            .map((e) => `[${onButton(String(e.action_id), field(e, 'value'), textOf(e.text))}] ${textOf(e.text)}`)
            .join('  '),
        ];
      case 'input': {
        const el = isObject(b.element) ? b.element : {};
        const initial = optionOf(el.initial_option) || field(el, 'initial_value');
        const options = list(el.options).map(optionOf).join(' | ');
        return [`(input ${String(b.block_id)}) ${textOf(b.label)}: ${initial}${options ? `   [${options}]` : ''}`];
      }
      default:
        return [];
    }
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  const dir = mkdtempSync(join(tmpdir(), 'slack-local-'));
  const slack = await startFakeSlackApi();
  const env = await environment(values.config, dir);
  const { bot, base } = await startBot(env.config, slack.apiUrl, env.stateUrl);
  const buttons: Button[] = [];
  let user = USERS[0] as string;
  let openView: Json | undefined;
  let shown = 0;
  let seq = 0;

  const show = (c: SlackApiCall) => {
    const channel = String(c.body.channel ?? CHANNEL);
    const ts = `${1_800_000_000 + ++seq}.000100`;
    const onButton = (actionId: string, value: string, label: string) => {
      buttons.push({ n: buttons.length + 1, actionId, value, label, channel, ts });
      return buttons.length;
    };
    if (c.method === 'views.open' || c.method === 'views.update') {
      openView = isObject(c.body.view) ? c.body.view : undefined;
      const v = openView ?? {};
      const lines = blockLines(v.blocks, onButton);
      const submit = v.submit ? `   (submit: ${textOf(v.submit)})` : '';
      return console.log(`\n<< ${c.method}: modal "${textOf(v.title)}"${submit}\n${lines.join('\n')}`);
    }
    if (!['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method)) return;
    const where = `${c.method === 'chat.postEphemeral' ? `only to ${String(c.body.user)} ` : ''}in ${channel}`;
    const thread = c.body.thread_ts ? ` (thread ${String(c.body.thread_ts)})` : '';
    const lines = blockLines(c.body.blocks, onButton);
    console.log(`\n<< ${c.method} ${where}${thread}\n${lines.length ? lines.join('\n') : String(c.body.text)}`);
  };
  const flush = () => {
    while (shown < slack.calls.length) show(slack.calls[shown++] as SlackApiCall);
  };
  /** The open modal says it is still working ("Preparing the preview…", "Working on it…"): its update follows. */
  const modalInProgress = () => !!openView && JSON.stringify(openView.blocks ?? []).includes(':hourglass');
  /**
   * Resolves once the bot said something after `before` calls and then was quiet for `quietMs`, with no modal
   * still in progress (at most `maxMs`: a loaded machine can take tens of seconds to plan).
   */
  const settle = async (before: number, quietMs = 700, maxMs = 90_000) => {
    const start = Date.now();
    let last = slack.calls.length;
    let since = Date.now();
    while (Date.now() - start < maxMs) {
      await new Promise((r) => setTimeout(r, 50));
      flush();
      const now = slack.calls.length;
      if (now !== last) [last, since] = [now, Date.now()];
      else if (now > before && Date.now() - since >= quietMs && !modalInProgress()) return;
    }
  };
  const sign = () => ({ signingSecret: SECRET });
  const ack = (json: unknown) => {
    if (!isObject(json)) return;
    if (json.response_action === 'errors') console.log(`<< modal errors: ${JSON.stringify(json.errors)}`);
    else if (json.response_action === 'update' && isObject(json.view))
      show({ method: 'views.update', body: { view: json.view }, headers: {}, at: Date.now() });
    else if (textOf(json)) console.log(`<< (only to you) ${textOf(json)}`);
  };

  const commands: Record<string, (args: string[]) => Promise<void>> = {
    async click([n]) {
      const b = buttons.find((x) => x.n === Number(n));
      if (!b) return void console.log(`no button [${n ?? ''}]; the numbers are printed in brackets`);
      const payload = {
        type: 'block_actions',
        api_app_id: 'A0APP',
        user: { id: user, team_id: FAKE_IDS.team },
        team: { id: FAKE_IDS.team },
        channel: { id: b.channel },
        container: { type: 'message', channel_id: b.channel, message_ts: b.ts },
        message: { ts: b.ts, type: 'message' },
        trigger_id: `trigger-${++seq}`,
        response_url: slack.responseUrl(`click${seq}`),
        actions: [{ action_id: b.actionId, block_id: 'b', value: b.value, type: 'button', action_ts: '1' }],
      };
      ack((await sendSigned(interactionRequest(base, payload, sign()))).json);
    },
    async submit(pairs) {
      if (!openView) return void console.log('no modal is open; click a fix button first');
      const given = Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
      const state: Record<string, Json> = {};
      for (const b of list(openView.blocks).filter((x): x is Json => isObject(x) && x.type === 'input')) {
        const el = isObject(b.element) ? b.element : {};
        const name = String(b.block_id).replace(/^param:/, '');
        const value = given[name] ?? (optionOf(el.initial_option) || field(el, 'initial_value'));
        state[String(b.block_id)] = {
          [String(el.action_id)]:
            el.type === 'static_select'
              ? { type: el.type, selected_option: { text: { type: 'plain_text', text: value }, value } }
              : { type: el.type, value },
        };
      }
      const view = { ...openView, id: `V${++seq}`, state: { values: state } };
      const payload = {
        type: 'view_submission',
        api_app_id: 'A0APP',
        user: { id: user, team_id: FAKE_IDS.team },
        team: { id: FAKE_IDS.team },
        view,
      };
      openView = undefined;
      ack((await sendSigned(interactionRequest(base, payload, sign()))).json);
    },
    async as([id]) {
      user = id ?? user;
      console.log(`acting as ${user}`);
    },
    async help() {
      console.log('commands: /session-ttl <text> | click <n> | submit [name=value ...] | as <user id> | quit');
    },
  };

  console.log(`bot at ${base}, fake Slack at ${slack.apiUrl}; you are ${user} in ${CHANNEL}. Type help.`);
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    console.log(`\n>> ${user}: ${text}`);
    if (text === 'quit' || text === 'exit') break;
    const before = slack.calls.length;
    let expectReply = true;
    if (text.startsWith('/session-ttl')) {
      const res = await sendSlashCommand(
        base,
        {
          text: text.replace(/^\/session-ttl\s*/, ''),
          user_id: user,
          channel_id: CHANNEL,
          response_url: slack.responseUrl(`cmd${++seq}`),
        },
        sign(),
      );
      ack(res.json);
    } else {
      const [name = '', ...args] = text.split(/\s+/);
      const run = commands[name];
      expectReply = name === 'click' || name === 'submit';
      if (run) await run(args);
      else console.log(`unknown command "${name}"; type help`);
    }
    if (expectReply) await settle(before);
    for (const r of slack.responses.splice(0)) console.log(`\n<< (only to you, response_url) ${String(r.body.text)}`);
  }
  bot.kill('SIGTERM');
  await new Promise((r) => bot.once('exit', r));
  await slack.close();
  await Promise.all(env.servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
  return 0;
}

process.exitCode = await main();
