import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixture corpus: test/fixtures/alerts/<kind>/<name>.json with <name>.expected.json beside it. */
export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures', 'alerts');

export interface Fixture<E> {
  name: string;
  input: unknown;
  expected: E;
}

/** Every input of a corpus directory with its expectations; an input without an expectations file fails here. */
export function loadCorpus<E>(kind: 'slack' | 'teams' | 'alertmanager'): Fixture<E>[] {
  const dir = join(FIXTURES_DIR, kind);
  const inputs = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
  return inputs.sort().map((file) => {
    const name = file.replace(/\.json$/, '');
    const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
    return { name, input: read(file), expected: read(`${name}.expected.json`) as E };
  });
}

/** Environments and aliases the corpus expectations are written against. */
export const CORPUS_ROUTING = {
  environments: ['dev', 'staging', 'prod'],
  aliases: { production: 'prod', 'prod-cluster': 'prod', development: 'dev' },
};
