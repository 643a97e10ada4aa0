import type { KeyName, TtlBatchCounts, TtlLayout } from '../../core/ports/session-store.js';

/**
 * One SCAN batch audited inside Redis: SCAN, then PTTL of each key, counted into the caller's buckets
 * and histogram. It returns counts and buckets, and key names only for the few keys without expiry or
 * above the configured TTL that the caller still wants for evidence (ARGV 5 and 6), never the rest.
 *
 * ARGV: cursor, pattern, count, aboveMs, wantNoExpiry, wantAbove, histMinSeconds, histLogRatio,
 * histBins, mode, then the coarse bucket edges in seconds. Mode `all` scans on from the cursor.
 * Two cursors can share the keyspace: SCAN visits every bucket with an even index before bucket 1 and
 * the rest after it, so mode `even` runs from 0 until the cursor turns odd (or back to 0: one call can
 * cover a small table), and a chain in mode `all` runs from 1 to 0. The `even` batch that would cross
 * is dropped and done again in steps of COUNT 1 (mode `step`; a step's keys come from its last bucket,
 * so only steps ending on an even bucket, or exactly at 1, count); a reply cursor `s<cursor>` says
 * the steps go on from there.
 * Reply: cursor, scanned, vanished, noExpiry, withTtl, minMs, maxMs, aboveCount, aboveMaxMs,
 * K, K bucket counts, P, P x (bin, count), N, N no-expiry names, M, M above names.
 * minMs/maxMs are -1 without a key with a TTL. No write, no KEYS: the script is read-only.
 */
export const AUDIT_SCRIPT = `
local mode = ARGV[10]
local function odd(c) return string.byte(c, -1) % 2 == 1 end
local r
if mode == 'all' then
  r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
else
  if mode == 'even' then
    r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
    if odd(r[1]) or r[1] == '0' then r = nil end
  end
  if r == nil then
    local c, got, limit = ARGV[1], {}, tonumber(ARGV[3])
    r = {nil, got}
    for _ = 1, math.min(limit, 200) do
      local s = redis.call('SCAN', c, 'MATCH', ARGV[2], 'COUNT', 1)
      if odd(s[1]) or s[1] == '0' then
        if s[1] == '1' then for _, k in ipairs(s[2]) do got[#got + 1] = k end end
        r[1] = '0'
        break
      end
      for _, k in ipairs(s[2]) do got[#got + 1] = k end
      c = s[1]
      if #got >= limit then break end
    end
    if r[1] == nil then r[1] = 's' .. c end
  end
end
local aboveMs = tonumber(ARGV[4])
local wantNo = tonumber(ARGV[5])
local wantAbove = tonumber(ARGV[6])
local histMin = tonumber(ARGV[7])
local logRatio = tonumber(ARGV[8])
local lastBin = tonumber(ARGV[9]) - 1
local edges = {}
for i = 11, #ARGV do edges[#edges + 1] = tonumber(ARGV[i]) end
local nEdges = #edges
local buckets = {}
for i = 1, nEdges + 1 do buckets[i] = 0 end
local hist = {}
local keys = r[2]
local vanished, noexp, withTtl, minMs, maxMs, aboveN, aboveMax = 0, 0, 0, -1, -1, 0, 0
local noNames, aboveNames = {}, {}
for _, k in ipairs(keys) do
  local t = redis.call('PTTL', k)
  if t == -2 then
    vanished = vanished + 1
  elseif t < 0 then
    noexp = noexp + 1
    if #noNames < wantNo then noNames[#noNames + 1] = k end
  else
    withTtl = withTtl + 1
    if minMs < 0 or t < minMs then minMs = t end
    if t > maxMs then maxMs = t end
    if t > aboveMs then
      aboveN = aboveN + 1
      if t > aboveMax then aboveMax = t end
      if #aboveNames < wantAbove then aboveNames[#aboveNames + 1] = k end
    end
    local s = t / 1000
    local b = 1
    while b <= nEdges and s >= edges[b] do b = b + 1 end
    buckets[b] = buckets[b] + 1
    local bin = 0
    if s > histMin then
      bin = math.floor(math.log(s / histMin) / logRatio) + 1
      if bin > lastBin then bin = lastBin end
    end
    hist[bin] = (hist[bin] or 0) + 1
  end
end
local out = {r[1], #keys, vanished, noexp, withTtl, minMs, maxMs, aboveN, aboveMax, nEdges + 1}
for i = 1, nEdges + 1 do out[#out + 1] = buckets[i] end
local pairsAt = #out + 1
out[pairsAt] = 0
for bin, n in pairs(hist) do
  out[#out + 1] = bin
  out[#out + 1] = n
  out[pairsAt] = out[pairsAt] + 1
end
out[#out + 1] = #noNames
for _, k in ipairs(noNames) do out[#out + 1] = k end
out[#out + 1] = #aboveNames
for _, k in ipairs(aboveNames) do out[#out + 1] = k end
return out
`;

/** How one script call scans: on from the cursor, the even half, or the even half's last steps. */
export type AuditMode = 'all' | 'even' | 'step';

/** The script's ARGV for one batch. */
export function auditScriptArgs(
  cursor: string,
  pattern: string,
  count: number,
  layout: TtlLayout,
  want: { noExpiry: number; above: number },
  mode: AuditMode = 'all',
): string[] {
  const h = layout.histogram;
  return [
    cursor,
    pattern,
    String(count),
    String(layout.aboveMs),
    String(Math.max(0, want.noExpiry)),
    String(Math.max(0, want.above)),
    String(h.minSeconds),
    String(h.logRatio),
    String(h.bins),
    mode,
    ...layout.bucketEdgesSeconds.map(String),
  ];
}

/** `Array.isArray` without its `any[]`: the elements stay `unknown` until checked. */
function isArray(v: unknown): v is readonly unknown[] {
  return Array.isArray(v);
}

/** Reads the script's reply; throws on a shape it does not know (a different script under the same SHA). */
export function parseAuditReply(reply: unknown): { cursor: string; counts: TtlBatchCounts } {
  if (!isArray(reply)) throw new Error('unexpected audit script reply');
  let i = 0;
  const num = (): number => {
    const v = reply[i++];
    if (typeof v !== 'number') throw new Error(`unexpected audit script reply at ${i - 1}`);
    return v;
  };
  const key = (): KeyName => {
    const v = reply[i++];
    if (!Buffer.isBuffer(v)) throw new Error(`unexpected audit script reply at ${i - 1}`);
    return Buffer.from(v);
  };
  const cursorRaw = reply[i++];
  const cursor = Buffer.isBuffer(cursorRaw) ? cursorRaw.toString('latin1') : String(cursorRaw);
  const scanned = num();
  const vanished = num();
  const noExpiry = num();
  const withTtl = num();
  const minMs = num();
  const maxMs = num();
  const aboveCount = num();
  const aboveMaxMs = num();
  const buckets = Array.from({ length: num() }, num);
  const bins = Array.from({ length: num() }, (): [number, number] => [num(), num()]);
  const noExpiryKeys = Array.from({ length: num() }, key);
  const aboveKeys = Array.from({ length: num() }, key);
  return {
    cursor,
    counts: {
      scanned,
      vanished,
      noExpiry,
      withTtl,
      minMs: minMs < 0 ? null : minMs,
      maxMs: maxMs < 0 ? null : maxMs,
      above: { count: aboveCount, maxMs: aboveMaxMs },
      buckets,
      bins,
      noExpiryKeys,
      aboveKeys,
    },
  };
}
