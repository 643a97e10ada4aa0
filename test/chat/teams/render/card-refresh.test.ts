// Cards with buttons for some people only (approval requests): the buttons in their view, a note for everyone
// else, and the card's refresh naming them by the Teams user ids (MRIs) the caller found.
import { describe, expect, it } from 'vitest';
import { adaptiveCard } from '../../../../src/chat/teams/render/adaptive-card.js';
import { t } from '../../../../src/core/message.js';
import { cardViolations } from '../../../fakes/adaptive-card-limits.js';

describe('adaptiveCard: per-person buttons and refresh.userIds', () => {
  it('buttons for some people only: a note for everyone, the buttons in their view, refresh for their MRIs', () => {
    const audience = [
      'aad:00000000-0000-4000-8000-000000000001',
      'U0SLACK',
      'aad:00000000-0000-4000-8000-000000000002',
    ];
    const buttons = { kind: 'actions' as const, actions: [{ command: 'approve', label: 'Approve', ref: 'p-1' }] };
    const message = {
      text: 'x',
      blocks: [
        { kind: 'section' as const, text: [t('Approve?')] },
        { ...buttons, audience },
      ],
    };
    // The caller found the Teams user ids (MRIs) of the two Teams users; rendering only places them
    const mris = ['29:1megan', '29:1alex'];
    const base = adaptiveCard(message, { refreshUserIds: mris });
    const mine = adaptiveCard(message, { personal: true, refreshUserIds: mris });
    expect(cardViolations(base)).toEqual([]);
    expect(cardViolations(mine)).toEqual([]);
    expect(JSON.stringify(base.body)).not.toContain('Action.Execute');
    expect(JSON.stringify(base.body)).toContain(
      'Approve: shown to the requester and the approvers named (refresh the card to see your view).',
    );
    expect(mine.body[1]).toEqual({
      type: 'ActionSet',
      actions: [{ type: 'Action.Execute', title: 'Approve', verb: 'approve', data: { ref: 'p-1' } }],
    });
    const action = { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data: { ref: 'p-1' } };
    expect(base.refresh).toEqual({ action, userIds: mris });
    expect(mine.refresh).toEqual({ action, userIds: mris });
    const crowd = Array.from({ length: 70 }, (_, i) => `29:user-${i}`);
    const many = adaptiveCard({ ...message, blocks: [{ ...buttons, audience }] }, { refreshUserIds: crowd });
    expect(many.refresh?.userIds).toEqual(crowd.slice(0, 60));
    // More people than Teams takes: the note says only the first 60 get their view by themselves
    expect(many.body.at(-1)).toMatchObject({
      type: 'TextBlock',
      text:
        'Approve: shown to the requester and the approvers named; Teams refreshes it by itself for the first 60 of ' +
        'them only, so the others refresh the card (message options, Refresh) to see their view.',
    });
    const sixty = adaptiveCard(
      { ...message, blocks: [{ ...buttons, audience }] },
      { refreshUserIds: crowd.slice(0, 60) },
    );
    expect(JSON.stringify(sixty.body)).toContain('(refresh the card to see your view).');
  });

  it('buttons for some people none of whom Teams could name: no userIds, and the note says to refresh by hand', () => {
    const message = {
      text: 'x',
      blocks: [
        {
          kind: 'actions' as const,
          actions: [{ command: 'approve', label: 'Approve', ref: 'p-1' }],
          audience: ['aad:00000000-0000-4000-8000-000000000001'],
        },
      ],
    };
    const card = adaptiveCard(message, { refreshUserIds: [] });
    expect(cardViolations(card)).toEqual([]);
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data: { ref: 'p-1' } },
    });
    expect(card.body).toMatchObject([
      {
        type: 'TextBlock',
        text:
          'Approve: shown to the requester and the approvers named; Teams could not be told who they are, ' +
          'so refresh the card (message options, Refresh) to see your view.',
      },
    ]);
  });
});
