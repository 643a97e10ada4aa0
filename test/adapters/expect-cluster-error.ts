import { expect } from 'vitest';
import { ClusterError } from '../../src/core/ports/cluster.js';

/** Awaits a promise that must reject with a ClusterError, and returns that error for more assertions. */
export async function clusterError(p: Promise<unknown>): Promise<ClusterError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClusterError);
  return err as ClusterError;
}
