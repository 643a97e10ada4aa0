import { alertKind } from '../../../alerts/alert-kinds.js';
import type { ParsedAlertPost } from '../../../alerts/alert-post.js';
import { alertPostOfView } from '../../../alerts/alert-text/view-to-post.js';
import { readTeamsMessage, type TeamsMessageParts } from './read-teams-card.js';
import { teamsLines } from './teams-text.js';

/**
 * The alerts a Teams channel message shows, read like a Slack post (see `parseAlertPost`) from its cards:
 * Alertmanager's Teams templates (the `msteams` receiver's MessageCard, the `msteamsv2` receiver's Adaptive
 * Card: `[FIRING:1] SessionTTLViolations (prod)` then `# Alerts Firing:` / `Labels:` / `- env = prod`),
 * prometheus-msteams' MessageCard and workflow card (facts per alert), Grafana's Teams card (title, then
 * `**Firing**` and `Labels:` lists). Undefined when it is not an alert post; never throws.
 */
export function parseTeamsAlertPost(m: TeamsMessageParts): ParsedAlertPost | undefined {
  const isKnown = (name: string) => alertKind(name) !== undefined;
  try {
    return alertPostOfView(readTeamsMessage(m), { isKnown, toLines: teamsLines, origin: 'teams' });
  } catch {
    // A payload nobody foresaw is not an alert post.
    return undefined;
  }
}
