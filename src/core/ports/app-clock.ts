// The port the clock-skew check reads the app's clock through (its HTTP `Date` header);
// `adapters/app/app-clock.ts` implements it over fetch.

export interface AppClockOptions {
  /** The app's base URL (config `app.baseUrl`); only its `Date` header is read. */
  baseUrl: string;
  timeoutMs: number;
  /** The local clock the request is timed with (the check's `now`). */
  now: () => number;
  signal?: AbortSignal;
}

/** One reading of a remote clock: its `Date` header and when the request left and the answer came back. */
export interface ClockReading {
  /** The server's time from its `Date` header (whole seconds, truncated), in ms. */
  serverMs: number;
  /** Local time just before the request, in ms. */
  sentAt: number;
  /** Local time when the response headers arrived, in ms. */
  receivedAt: number;
  /** HTTP status of the answer; any status carries a usable `Date`. */
  status: number;
  method: 'HEAD' | 'GET';
}

/** Reads the app's clock; rejects with a message naming the URL without credentials when it cannot. */
export type ReadAppClock = (opts: AppClockOptions) => Promise<ClockReading>;
