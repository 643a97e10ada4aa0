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

/** What a corpus expectations file says of one alert. */
export interface ExpectedAlert {
  alertname: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Environment the corpus routing maps the alert to (null: none). */
  env: string | null;
  /** alertKind(alertname)?.alertname (null: not a known alert). */
  kind: string | null;
}

/** What a chat post's expectations file says: not an alert post (and why), or the post it reads as. */
export type ExpectedPost =
  | { alertPost: false; why: string }
  | {
      alertPost: true;
      status: 'firing' | 'resolved';
      firingCount?: number;
      fromBot: boolean;
      groupValues: string[];
      threadTs?: string;
      alerts: ExpectedAlert[];
    };
