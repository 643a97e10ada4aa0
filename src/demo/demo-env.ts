/** The built-in environment of `session-ttl demo`, which `diagnose`, `verify` and `fix` also know. */
export const DEMO_ENV = 'demo';
