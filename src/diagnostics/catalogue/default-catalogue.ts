import { allChecks } from '../all-checks.js';
import { createFindingCatalogue } from './finding-catalogue.js';

/**
 * The catalogue of the bot's own checks, for code that has no registry at hand (renderers tagging a
 * finding with its scenarios). Immutable data built once; a broken catalogue fails on import.
 */
export const defaultCatalogue = createFindingCatalogue(allChecks);
