import type { Registry } from 'prom-client';

/**
 * The metric `name` of `registry`, made by `make` the first time: several features (and tests) may ask
 * for the same series on one registry without registering it twice.
 */
export function registeredOnce<T>(registry: Registry, name: string, make: () => T): T {
  // prom-client types getSingleMetric as Metric; the caller's `make` is what registered it under `name`.
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
