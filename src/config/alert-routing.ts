import { z } from 'zod';

/** Labels that name the environment, checked in this order unless configured otherwise. */
export const DEFAULT_LABEL_KEYS: readonly string[] = ['env', 'environment', 'namespace', 'cluster'];

/**
 * The `slack.alertRouting` section of the config file.
 *
 * @example
 * # session-ttl.yaml
 * slack:
 *   alertRouting:
 *     labelKeys: [env, cluster]
 *     aliases: { production: prod, prod-cluster: prod }
 */
export const alertRoutingSchema = z
  .object({
    labelKeys: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a Prometheus label name such as env or namespace'))
      .min(1, 'expected at least one label name')
      .default([...DEFAULT_LABEL_KEYS]),
    /** Label value -> environment name, e.g. `production: prod`. */
    aliases: z
      .record(z.string().min(1, 'expected a label value'), z.string().min(1, 'expected an environment name'))
      .default({}),
  })
  .strict();

export type AlertRoutingConfig = z.infer<typeof alertRoutingSchema>;
