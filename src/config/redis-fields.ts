import { z } from 'zod';

/** The name of an environment variable; the config names where a secret is, never the secret. */
export const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (not its value)');

/** `host:port` of a Redis node (no scheme, no credentials). */
export const hostPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    'expected host:port (no scheme, no password), e.g. 10.0.0.5:6379',
  );
