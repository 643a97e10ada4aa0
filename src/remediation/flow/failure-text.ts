import { ClusterError } from '../../core/ports/cluster.js';

/** An error in words for the person; a conflict says that nothing was overwritten. */
export function failureText(err: unknown): string {
  if (err instanceof ClusterError && err.kind === 'conflict') {
    return `${err.message} Nothing was overwritten: open the preview again to review the current state.`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** `Changed on 2 of 3 nodes` → `changed on 2 of 3 nodes`, to continue a sentence. */
export const lowerFirst = (text: string) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

/** `prod is busy: <holder> is running.` */
export const busyText = (env: string, holder: string | undefined) =>
  `${env} is busy: ${holder ?? 'another action'} is running.`;
