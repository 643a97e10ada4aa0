import { describe, expect, it } from 'vitest';
import { parseAlertPost } from '../../src/chat/slack/alert-posts/parse-alert-post.js';

const bot = (extra: Record<string, unknown>) => ({
  type: 'message',
  subtype: 'bot_message',
  bot_id: 'B06ALRTMGR1',
  ts: '1718031234.000200',
  channel: 'C06INCIDENT',
  ...extra,
});
const subject = '[FIRING:1] SessionTTLViolations (sessions prod langgraph-agent info)';

describe('parseAlertPost: garbage', () => {
  const throwing = new Proxy(
    {},
    {
      get() {
        throw new Error('getter exploded');
      },
      has() {
        throw new Error('has exploded');
      },
      ownKeys() {
        throw new Error('ownKeys exploded');
      },
    },
  );
  const cases: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string that looks like an alert', subject],
    ['an array', [bot({ text: subject })]],
    ['an empty object', {}],
    ['a function', () => subject],
    ['an object whose getters throw', throwing],
    ['5 MB of text', bot({ text: 'x'.repeat(5_000_000) })],
    ['5 MB of one-line pairs', bot({ text: 'a=b '.repeat(1_250_000) })],
    ['deeply nested rich text', bot({ blocks: [{ type: 'rich_text', elements: [nest(5_000)] }] })],
    ['a message_changed event (text under message)', bot({ subtype: 'message_changed', message: { text: subject } })],
    ['prose with a colon-free mention', { type: 'message', user: 'U1', text: 'SessionTTLViolations again?' }],
    ['a header naming no alert', bot({ text: '*Alert:* disk almost full on build agents' })],
  ];

  it.each(cases)('%s gives undefined without throwing', (_name, input) => {
    expect(() => parseAlertPost(input)).not.toThrow();
    expect(parseAlertPost(input)).toBeUndefined();
  });
});

function nest(depth: number): unknown {
  let node: unknown = { type: 'text', text: subject };
  for (let i = 0; i < depth; i++) node = { type: 'rich_text_section', elements: [node] };
  return node;
}

describe('parseAlertPost: input limits', () => {
  const filler = `${'lorem ipsum dolor sit amet '.repeat(40)}\n`; // ~1 kB a line

  it('reads an alert at the start of a huge post', () => {
    const post = parseAlertPost(bot({ text: `${subject}\n${filler.repeat(1_000)}` }));
    expect(post?.alerts.map((a) => a.alertname)).toEqual(['SessionTTLViolations']);
  });

  it('ignores text past 40,000 characters', () => {
    // Given the same alert placed after 41 kB of chatter, when parsed, then it is not seen.
    expect(parseAlertPost(bot({ text: `${filler.repeat(41)}${subject}` }))).toBeUndefined();
    // And the budget spans the whole message, not each part.
    const attachments = [{ text: filler.repeat(41) }, { title: subject }];
    expect(parseAlertPost(bot({ attachments }))).toBeUndefined();
    // While the same attachment after a short one is read.
    expect(parseAlertPost(bot({ attachments: [{ text: filler }, { title: subject }] }))?.alerts).toHaveLength(1);
  });

  it('reads at most 20 attachments', () => {
    const noise = Array.from({ length: 20 }, () => ({ text: 'noise' }));
    expect(parseAlertPost(bot({ attachments: [...noise, { title: subject }] }))).toBeUndefined();
    expect(parseAlertPost(bot({ attachments: [...noise.slice(1), { title: subject }] }))).toBeDefined();
  });
});

describe('parseAlertPost: formats', () => {
  it('strips mrkdwn decorations but keeps underscores inside label names and colons inside values', () => {
    const post = parseAlertPost(
      bot({
        text: [
          '*Alert:* SessionTTLViolations',
          '*Details:*',
          '• *grafana_folder:* _Sessions_',
          '• *started:* 10:30:45',
          '• ~*env:*~ `prod`',
          '• *dashboard_uid:* <https://grafana.example.com/d/abc|abc&amp;def>',
        ].join('\n'),
      }),
    );
    expect(post?.alerts[0]?.labels).toEqual({
      alertname: 'SessionTTLViolations',
      grafana_folder: 'Sessions',
      started: '10:30:45',
      env: 'prod',
      dashboard_uid: 'abc&def',
    });
  });

  it('reads brace-style label sets and quoted values', () => {
    const post = parseAlertPost(
      bot({ text: 'Labels: {alertname="SessionStoreErrors", env="prod", reason="connection refused"}' }),
    );
    expect(post?.alerts[0]?.labels).toEqual({
      alertname: 'SessionStoreErrors',
      env: 'prod',
      reason: 'connection refused',
    });
  });

  it('takes the status from an emoji when nothing else states it', () => {
    const post = parseAlertPost(bot({ text: ':white_check_mark: *Alert:* SessionTTLViolations\n• env: prod' }));
    expect(post?.status).toBe('resolved');
    expect(post?.alerts[0]?.status).toBe('resolved');
  });

  it('takes the status from the attachment colour when nothing else states it', () => {
    const message = (color: string) => bot({ attachments: [{ color, text: '*Alert:* SessionTTLViolations' }] });
    expect(parseAlertPost(message('good'))?.status).toBe('resolved');
    expect(parseAlertPost(message('danger'))?.status).toBe('firing');
  });

  it("reads Grafana's Firing and Resolved lists with each alert's status", () => {
    const text = [
      '**Firing**',
      '',
      'Labels:',
      ' - alertname = SessionTTLViolations',
      ' - env = prod',
      '',
      '**Resolved**',
      '',
      'Labels:',
      ' - alertname = SessionTTLViolations',
      ' - env = staging',
    ].join('\n');
    const post = parseAlertPost(bot({ attachments: [{ title: '[FIRING:1] SessionTTLViolations', text }] }));
    expect(post?.alerts.map((a) => [a.labels.env, a.status])).toEqual([
      ['prod', 'firing'],
      ['staging', 'resolved'],
    ]);
    expect(post?.status).toBe('firing');
    expect(post?.groupLabels).toEqual({ alertname: 'SessionTTLViolations' });
  });

  it('reads an alert per attachment', () => {
    const post = parseAlertPost(
      bot({
        attachments: [
          { title: '[FIRING:1] SessionTTLViolations (prod)', color: 'danger' },
          { title: '[RESOLVED] RedisHighMemoryUsage (staging)', color: 'good' },
        ],
      }),
    );
    expect(post?.alerts.map((a) => [a.alertname, a.status])).toEqual([
      ['SessionTTLViolations', 'firing'],
      ['RedisHighMemoryUsage', 'resolved'],
    ]);
    expect(post?.groupValues).toEqual(['prod', 'staging']);
  });

  it('reads an attachment fallback when it is all there is', () => {
    const post = parseAlertPost(bot({ attachments: [{ fallback: `${subject} | https://alertmanager.example.com` }] }));
    expect(post?.alerts[0]?.alertname).toBe('SessionTTLViolations');
    expect(post?.groupValues).toEqual(['sessions', 'prod', 'langgraph-agent', 'info']);
  });

  it('prefers known alert names, and takes the isKnownAlert option', () => {
    // The group part of the title is the env only; the alert name sits among the common labels.
    const text = '[FIRING:1] prod (session_ttl_violations info)';
    expect(parseAlertPost(bot({ text }))?.alerts[0]?.alertname).toBe('prod');
    const post = parseAlertPost(bot({ text }), { isKnownAlert: (n) => n === 'session_ttl_violations' });
    expect(post?.alerts[0]?.alertname).toBe('session_ttl_violations');
    expect(post?.groupValues).toEqual(['prod', 'info']);
  });

  it('marks a person posting an alert as not from a bot, and an app post as from a bot', () => {
    expect(parseAlertPost({ type: 'message', user: 'U1', text: subject })?.fromBot).toBe(false);
    expect(parseAlertPost({ type: 'message', user: 'U1', app_id: 'A1', text: subject })?.fromBot).toBe(true);
    expect(parseAlertPost({ type: 'message', subtype: 'bot_message', text: subject })?.fromBot).toBe(true);
  });

  it('lists an alert once when a post repeats it', () => {
    const post = parseAlertPost(bot({ text: `${subject}\n${subject}`, attachments: [{ title: subject }] }));
    expect(post?.alerts).toHaveLength(1);
  });
});

describe('parseAlertPost: several alerts in one post', () => {
  it('gives each alert its own Status line, printed before or after its labels', () => {
    const after =
      'Labels: alertname=SessionTTLViolations env=prod\nStatus: firing\nLabels: alertname=SessionTTLViolations env=dev\nStatus: resolved';
    const before =
      'Status: resolved\nAlert: SessionTTLViolations\n• env: prod\nStatus: firing\nAlert: SessionTTLViolations\n• env: dev';
    expect(parseAlertPost(bot({ text: after }))?.alerts.map((a) => [a.labels.env, a.status])).toEqual([
      ['prod', 'firing'],
      ['dev', 'resolved'],
    ]);
    expect(parseAlertPost(bot({ text: before }))?.alerts.map((a) => [a.labels.env, a.status])).toEqual([
      ['prod', 'resolved'],
      ['dev', 'firing'],
    ]);
  });

  it('reads one alert per Block Kit section of fields', () => {
    const section = (env: string) => ({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Alert:*\nSessionTTLViolations' },
        { type: 'mrkdwn', text: `*Env:*\n\`${env}\`` },
        { type: 'plain_text', text: 'Severity: info' },
      ],
    });
    const post = parseAlertPost(
      bot({
        text: 'fallback',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Alerts' } }, section('prod'), section('staging')],
      }),
    );
    expect(post?.alerts.map((a) => a.labels)).toEqual([
      { alertname: 'SessionTTLViolations', env: 'prod', severity: 'info' },
      { alertname: 'SessionTTLViolations', env: 'staging', severity: 'info' },
    ]);
    expect(post?.groupLabels).toEqual({ alertname: 'SessionTTLViolations', severity: 'info' });
  });
});
