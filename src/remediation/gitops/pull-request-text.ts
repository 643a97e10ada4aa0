/** What the fix's pull request says; the caller picks these from the finding, the request and the thread. */
export interface FixPullRequestFacts {
  env: string;
  /** Action id, e.g. `set-eviction-policy`. */
  action: string;
  /** One line: what changes, e.g. `maxmemory-policy allkeys-lru -> volatile-lru in redis-session-config`. */
  change: string;
  finding?: { id: string; severity: string; title: string };
  /** Evidence lines, as the report shows them. */
  evidence: readonly string[];
  requester: string;
  approvers: readonly string[];
  /** Link to the chat thread where the fix was approved. */
  threadUrl?: string;
  /** The live change applied with it (CONFIG SET), when there was one. */
  liveChange?: string;
  /** True for the request that reverts a fix. */
  revert?: boolean;
}

const MAX_EVIDENCE = 20;

/** Markdown without the characters that would start markup or a mention in a line of free text. */
function inline(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_[\]<>|#@])/g, '\\$1');
}

/**
 * Title and markdown body of a fix's pull/merge request: what changes and why (the finding and its
 * evidence), who asked and who approved, where (the thread). Pure.
 *
 * @example
 * renderFixPullRequestText({ env: 'prod', action: 'set-eviction-policy', change: 'maxmemory-policy ...', ... }).title
 * // 'session-ttl (prod): set-eviction-policy: maxmemory-policy ...'
 */
export function renderFixPullRequestText(f: FixPullRequestFacts): { title: string; body: string } {
  const title = `session-ttl (${f.env}): ${f.revert ? 'revert ' : ''}${f.action}: ${f.change}`
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 200);
  const evidence = f.evidence.slice(0, MAX_EVIDENCE).map((l) => `- ${inline(l)}`);
  if (f.evidence.length > MAX_EVIDENCE) evidence.push(`- … and ${f.evidence.length - MAX_EVIDENCE} more`);
  const lines = [
    f.revert
      ? `Reverts the **${f.action}** fix in **${inline(f.env)}**: ${inline(f.change)}.`
      : `The durable half of the **${f.action}** fix approved in chat for **${inline(f.env)}**: ${inline(f.change)}.`,
    '',
    ...(f.finding
      ? ['### Finding', `\`${f.finding.id}\` (${f.finding.severity}): ${inline(f.finding.title)}`, '']
      : []),
    ...(evidence.length ? ['### Evidence', ...evidence, ''] : []),
    '### Approval',
    `- Requested by ${inline(f.requester)}`,
    `- Approved by ${f.approvers.length ? f.approvers.map(inline).join(', ') : 'no one (the policy needs no approval here)'}`,
    ...(f.threadUrl ? [`- Thread: ${f.threadUrl}`] : []),
    '',
    ...(f.liveChange
      ? [
          `The live change is already applied: ${inline(f.liveChange)}. Merging keeps it across a sync and a restart.`,
          '',
        ]
      : []),
    '_Opened by session-ttl-bot. This request changes exactly one line; review it like any other change._',
  ];
  return { title, body: `${lines.join('\n')}\n` };
}
