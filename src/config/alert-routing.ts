import { z } from 'zod';

/** Labels that name the environment, checked in this order unless configured otherwise. */
export const DEFAULT_LABEL_KEYS: readonly string[] = ['env', 'environment', 'namespace', 'cluster'];

const labelKeys = z
  .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a Prometheus label name such as env or namespace'))
  .min(1, 'expected at least one label name');

/** Label value -> environment name, e.g. `production: prod`. */
const aliases = z.record(
  z.string().min(1, 'expected a label value'),
  z.string().min(1, 'expected an environment name'),
);

/**
 * Alert routing as written in the config file (`alerts.routing`, or its old name `slack.alertRouting`):
 * a field left out is taken from the other key, else its default (see alerts.ts).
 *
 * @example
 * # session-ttl.yaml
 * alerts:
 *   routing:
 *     labelKeys: [env, cluster]
 *     aliases: { production: prod, prod-cluster: prod }
 */
export const alertRoutingInputSchema = z
  .object({ labelKeys: labelKeys.optional(), aliases: aliases.optional() })
  .strict();

/** The alert routing every platform uses, with its defaults filled in. */
export const alertRoutingSchema = z
  .object({ labelKeys: labelKeys.default([...DEFAULT_LABEL_KEYS]), aliases: aliases.default({}) })
  .strict();

export type AlertRoutingInput = z.infer<typeof alertRoutingInputSchema>;
export type AlertRoutingConfig = z.infer<typeof alertRoutingSchema>;
