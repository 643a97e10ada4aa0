import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('dependency pins', () => {
  // @kubernetes/client-node 1.x crashes at load on Node 20 when undici 8 is in the tree; undici is a
  // direct dependency only to hold it on 7.x. Nothing imports it: this test is what notices an upgrade.
  it('keeps undici on 7.x', () => {
    const { version } = require('undici/package.json') as { version: string };
    expect(version.split('.')[0]).toBe('7');
  });

  it('keeps @kubernetes/client-node on 1.x (2.x needs undici 8 and Node 22)', () => {
    const { version } = require('@kubernetes/client-node/package.json') as { version: string };
    expect(version.split('.')[0]).toBe('1');
  });
});
