/** Runs at most `max` functions at a time; the others wait in arrival order. */
export type Limiter = <T>(fn: () => Promise<T>, key?: string) => Promise<T>;

/**
 * Gives the answers of an HTTP intake priority over the work behind them. The intake calls `arrived()` for
 * each request it reads; limiters made with `limiter(n)` start their work only once requests stopped
 * arriving for `quietMs` (or a piece of work has waited `maxDelayMs`, so a steady stream of requests cannot
 * starve it), one piece per macrotask (`setImmediate`), so requests already waiting on their sockets are
 * read and answered between two starts.
 *
 * Why: the bot answers webhooks and runs diagnoses on one event loop. 200 notifications arriving at once
 * each started their work (Redis claims, Slack posts, a diagnosis) while the later ones were still being
 * read, and the answers waited behind that work: p99 165 ms against 58 ms for a bare server.
 *
 * @example
 * const gate = createIntakeGate();
 * const notifications = gate.limiter(8);
 * route.handle = (req, res) => { gate.arrived(); ...answer...; void notifications(() => work()) };
 */
export interface IntakeGate {
  arrived(): void;
  /** A counting semaphore (at most `max` at a time, in arrival order) whose starts wait for a quiet intake. */
  limiter(max: number): Limiter;
}
