import { aofCheck } from './aof.js';
import { clockSkewCheck } from './clock-skew.js';
import { deletionsCheck } from './deletions.js';
import { envCheck } from './env-check.js';
import { evictionPolicyCheck } from './eviction-policy.js';
import { hardcodedTtlCheck } from './hardcoded-ttl.js';
import { memoryCheck } from './memory.js';
import { slidingWindowCheck } from './sliding-window.js';
import { ttlSampleCheck } from './ttl-sample.js';
import type { Check } from './types.js';
import { writePatternCheck } from './write-pattern.js';

/** Every check, in the order the runbook's diagnosis takes them. The registry is built from this list. */
export const allChecks: readonly Check[] = [
  envCheck,
  ttlSampleCheck,
  memoryCheck,
  evictionPolicyCheck,
  writePatternCheck,
  slidingWindowCheck,
  deletionsCheck,
  clockSkewCheck,
  hardcodedTtlCheck,
  aofCheck,
];
