import { aofCheck } from './checks/aof.js';
import { clockSkewCheck } from './checks/clock-skew.js';
import { configDriftCheck } from './checks/config-drift.js';
import { deletionCountersCheck } from './checks/deletion-counters.js';
import { deletionsCheck } from './checks/deletions.js';
import { envCheck } from './checks/env-check.js';
import { evictionPolicyCheck } from './checks/eviction-policy.js';
import { hardcodedTtlCheck } from './checks/hardcoded-ttl.js';
import { memoryCheck } from './checks/memory.js';
import { replicaReadsCheck } from './checks/replica-reads.js';
import { sentinelCheck } from './checks/sentinel.js';
import { slidingWindowCheck } from './checks/sliding-window.js';
import { ttlSampleCheck } from './checks/ttl-sample.js';
import type { Check } from './types.js';
import { writePatternCheck } from './checks/write-pattern.js';

/** Every check, in the order the runbook's diagnosis takes them. The registry is built from this list. */
export const allChecks: readonly Check[] = [
  envCheck,
  ttlSampleCheck,
  memoryCheck,
  evictionPolicyCheck,
  configDriftCheck,
  writePatternCheck,
  slidingWindowCheck,
  deletionsCheck,
  deletionCountersCheck,
  clockSkewCheck,
  hardcodedTtlCheck,
  aofCheck,
  sentinelCheck,
  replicaReadsCheck,
];
