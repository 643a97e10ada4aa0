import { describe, expect, it } from 'vitest';
import { quoteValue, readDirective, setDirective, splitArgs } from '../../../src/remediation/redis-conf.js';

const conf = [
  '# Redis session store',
  'maxmemory 512mb',
  '',
  '# eviction: see runbook Scenario 1',
  'maxmemory-policy allkeys-lru',
  'appendonly yes',
  '',
].join('\n');

const linesOf = (t: string) => t.split('\n');

describe('setDirective', () => {
  it('edits the one line and keeps every other line byte-for-byte', () => {
    const edit = setDirective(conf, 'maxmemory-policy', 'volatile-lru');
    expect(edit.changed).toBe(true);
    expect(edit.before).toBe('allkeys-lru');
    expect(edit.line).toBe(5);
    const before = linesOf(conf);
    const after = linesOf(edit.text);
    expect(after).toHaveLength(before.length);
    after.forEach((l, i) => expect(l).toBe(i === 4 ? 'maxmemory-policy volatile-lru' : before[i]));
    expect(edit.diff).toEqual([
      ' # eviction: see runbook Scenario 1',
      '-maxmemory-policy allkeys-lru',
      '+maxmemory-policy volatile-lru',
      ' appendonly yes',
    ]);
  });

  it('ignores commented-out directives', () => {
    const text = '# maxmemory-policy noeviction\nmaxmemory 1mb\n';
    const edit = setDirective(text, 'maxmemory-policy', 'volatile-lru');
    expect(edit.before).toBeUndefined();
    expect(edit.text).toBe('# maxmemory-policy noeviction\nmaxmemory 1mb\nmaxmemory-policy volatile-lru\n');
    expect(edit.diff).toEqual([' maxmemory 1mb', '+maxmemory-policy volatile-lru']);
  });

  it('keeps CRLF endings, including on the edited line and an appended one', () => {
    const text = 'maxmemory 512mb\r\nmaxmemory-policy allkeys-lru\r\nappendonly yes\r\n';
    expect(setDirective(text, 'maxmemory-policy', 'volatile-lru').text).toBe(
      'maxmemory 512mb\r\nmaxmemory-policy volatile-lru\r\nappendonly yes\r\n',
    );
    expect(setDirective(text, 'auto-aof-rewrite-percentage', '100').text).toBe(
      `${text}auto-aof-rewrite-percentage 100\r\n`,
    );
  });

  it('matches the directive name case-insensitively and keeps it as written, with its indentation', () => {
    const text = 'appendonly yes\n  MAXMEMORY-Policy\tallkeys-lru\n';
    const edit = setDirective(text, 'maxmemory-policy', 'volatile-lru');
    expect(edit.before).toBe('allkeys-lru');
    expect(edit.text).toBe('appendonly yes\n  MAXMEMORY-Policy\tvolatile-lru\n');
  });

  it('edits the last of duplicates (the effective one) and counts them', () => {
    const text = 'maxmemory-policy noeviction\nmaxmemory 1mb\nmaxmemory-policy allkeys-lru\n';
    const edit = setDirective(text, 'maxmemory-policy', 'volatile-lru');
    expect(edit.occurrences).toBe(2);
    expect(edit.before).toBe('allkeys-lru');
    expect(edit.text).toBe('maxmemory-policy noeviction\nmaxmemory 1mb\nmaxmemory-policy volatile-lru\n');
  });

  it('appends when absent, adding a newline to a last line that has none', () => {
    expect(setDirective('maxmemory 1mb', 'maxmemory-policy', 'volatile-lru').text).toBe(
      'maxmemory 1mb\nmaxmemory-policy volatile-lru',
    );
    expect(setDirective('', 'maxmemory-policy', 'volatile-lru').text).toBe('maxmemory-policy volatile-lru\n');
  });

  it('reads quoted values and leaves the text alone when the value already means the same', () => {
    const text = 'maxmemory-policy "volatile-lru"\nmaxmemory 512mb\n';
    const edit = setDirective(text, 'maxmemory-policy', 'volatile-lru');
    expect(edit).toMatchObject({ changed: false, before: 'volatile-lru', diff: [], text });
    const mem = setDirective(text, 'maxmemory', '536870912', (a, b) => a === '512mb' && b === '536870912');
    expect(mem.changed).toBe(false);
    expect(mem.text).toBe(text);
  });

  it('quotes a value that is not one plain word', () => {
    const edit = setDirective('save 3600 1\n', 'save', '3600 1 300 100');
    expect(edit.text).toBe('save "3600 1 300 100"\n');
    expect(readDirective(edit.text, 'save').value).toBe('3600 1 300 100');
  });
});

describe('splitArgs and quoteValue', () => {
  it('splits like sdssplitargs', () => {
    expect(splitArgs(`dir "/var/lib/my redis" 'it\\'s' "a\\x41\\n"`)).toEqual([
      'dir',
      '/var/lib/my redis',
      "it's",
      'aA\n',
    ]);
    expect(splitArgs('save "3600 1')).toBeUndefined();
    expect(splitArgs('  ')).toEqual([]);
  });

  it('round-trips values through quoting', () => {
    for (const v of ['volatile-lru', 'a b', 'say "hi"', 'back\\slash', 'tab\there']) {
      expect(splitArgs(`x ${quoteValue(v)}`)).toEqual(['x', v]);
    }
  });
});
