import { UserError } from '../../core/errors.js';

/**
 * Apply or revert found a value different from the one the preview (or the record) holds, so it
 * changed nothing: someone else changed it in between. The person reviews again.
 */
export class StalePlanError extends UserError {
  override name = 'StalePlanError';
  constructor(message: string) {
    super(message, 'stale_plan');
  }
}
