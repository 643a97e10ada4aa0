import { aofCheck } from './aof.js';
import { envCheck } from './env-check.js';
import { evictionPolicyCheck } from './eviction-policy.js';
import { memoryCheck } from './memory.js';
import { ttlSampleCheck } from './ttl-sample.js';
import type { Check } from './types.js';
import { writePatternCheck } from './write-pattern.js';

/** Every check, in the order the runbook's diagnosis takes them. The registry is built from this list. */
export const allChecks: readonly Check[] = [envCheck, ttlSampleCheck, memoryCheck, evictionPolicyCheck, writePatternCheck, aofCheck];
