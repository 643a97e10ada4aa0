/**
 * The fake Slack Web API of the latency benchmarks in a process of its own: Slack is another machine in
 * production, so its work must not run on the event loop of the bot being measured. Prints
 * `{ apiUrl, responseBase }` as its first line; then answers each line on stdin with a summary of what it
 * received (one JSON line): every Web API call (method, channel, thread_ts, whether it carries a diagnosis)
 * and every response_url post (id).
 */
import { createInterface } from 'node:readline';
import { startFakeSlackApi } from '../test/fakes/slack-api.js';

const slack = await startFakeSlackApi();
process.stdout.write(
  `${JSON.stringify({ apiUrl: slack.apiUrl, responseBase: slack.responseUrl('x').replace(/x$/, '') })}\n`,
);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'reset') {
    slack.reset();
    process.stdout.write('{}\n');
    continue;
  }
  const calls = slack.calls.map((c) => ({
    method: c.method,
    channel: String(c.body.channel ?? ''),
    threadTs: c.body.thread_ts === undefined ? undefined : String(c.body.thread_ts),
    diagnosis: JSON.stringify(c.body).includes('Session TTL diagnosis'),
  }));
  process.stdout.write(
    `${JSON.stringify({ calls, responses: slack.responses.map((r) => ({ id: r.id, text: String(r.body.text ?? '').slice(0, 80) })) })}\n`,
  );
}
await slack.close();
