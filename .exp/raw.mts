import { Redis } from 'ioredis';
import { AUDIT_SCRIPT, auditScriptArgs, parseAuditReply } from '../src/adapters/redis/audit-script.js';
const c = new Redis({ port: Number(process.argv[2]) });
const layout = { aboveMs: 86_400_000 + 864_000, histogram: { minSeconds: 1, logRatio: Math.log(1.1), bins: 200 }, bucketEdgesSeconds: [60, 300, 900, 3600, 14400, 43200, 86400] };
const sha = String(await c.script('LOAD', AUDIT_SCRIPT));
const t0 = performance.now(); let cursor = '0';
do { const r = parseAuditReply(await c.callBuffer('EVALSHA', sha, '0', ...auditScriptArgs(cursor, 'session:*', 1000, layout, { noExpiry: 5, above: 5 }))); cursor = r.cursor; } while (cursor !== '0');
console.log(performance.now() - t0); c.disconnect();
