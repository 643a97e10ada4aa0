/**
 * The remediation actions a finding may offer (one `remediation/actions/<id>.ts` each). The ids are a
 * contract (buttons, policy, audit); a catalogue entry naming any other id fails at start-up.
 */
export const ACTION_IDS = [
  'set-eviction-policy',
  'set-maxmemory',
  'enable-sliding-window',
  'rollout-restart',
  'tune-aof',
] as const;
export type ActionId = (typeof ACTION_IDS)[number];

export function isActionId(s: string): s is ActionId {
  return (ACTION_IDS as readonly string[]).includes(s);
}
