import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAME } from '../../../src/chat/slack/command-context.js';

describe('manifests/slack-app.yaml', () => {
  const manifest = parse(readFileSync('manifests/slack-app.yaml', 'utf8'));

  it('declares the command the router listens to, with a usage hint naming the subcommands', () => {
    const [command] = manifest.features.slash_commands;
    expect(command.command).toBe(COMMAND_NAME);
    for (const sub of ['diagnose', 'verify', 'audit', 'envs', 'help']) expect(command.usage_hint).toContain(sub);
  });

  it('asks for the scopes the bot uses and not chat:write.public', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual([
      'commands',
      'chat:write',
      'channels:history',
      'groups:history',
      'usergroups:read',
    ]);
    expect(manifest.settings).toMatchObject({
      socket_mode_enabled: true,
      interactivity: { is_enabled: true },
      event_subscriptions: { bot_events: ['message.channels', 'message.groups'] },
    });
    expect(manifest.display_information.name).toBe('session-ttl-bot');
  });
});
