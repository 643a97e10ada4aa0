import { join } from 'node:path';

/** The project's root folder. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** Where the suite's builds of the bot go: inside the project, so `node_modules` and `package.json` resolve as in `dist/`. */
export const TEST_BUILD_DIR = join(ROOT, '.test-build');
