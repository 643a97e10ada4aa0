import type { ReadAppClock } from './app-clock.js';
import type { ClusterPort } from './cluster.js';
import type { SessionStore } from './session-store.js';

/** The data sources of one environment. A missing one makes the checks that need it `skipped`. */
export interface Sources {
  redis?: SessionStore;
  cluster?: ClusterPort;
  /** Runs a whole diagnosis when the environment has room (app/environment-gate.ts); absent, at once. */
  /** Reads the app's clock (its `Date` header), for the clock-skew check. */
  appClock?: ReadAppClock;
  admit?: <T>(work: () => Promise<T>) => Promise<T>;
}
