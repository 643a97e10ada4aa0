import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redisConfChanges } from '../../../src/remediation/gitops/manifest-changes.js';
import { editManifest, ManifestEditError, type ManifestChange } from '../../../src/remediation/gitops/manifest-edit.js';
import { unifiedDiff } from '../../../src/remediation/gitops/unified-diff.js';

const REDIS_PATH = 'manifests/demo/redis-session.yaml';
const APP_PATH = 'manifests/demo/app-config.yaml';
const redisFile = readFileSync(REDIS_PATH, 'utf8');
const appFile = readFileSync(APP_PATH, 'utf8');
const redis = (directive: string, value: string, same?: (a: string, b: string) => boolean): ManifestChange => ({
  kind: 'redis-directive',
  configMap: 'redis-session-config',
  directive,
  value,
  ...(same ? { same } : {}),
});

/** The changed lines of a unified diff (without the --- / +++ header). */
function changedLines(diff: string): string[] {
  return diff.split('\n').filter((l) => /^[-+](?![-+]{2} [ab]\/)/.test(l));
}

/** The text with the changed line replaced/removed, to prove every other byte is the same. */
function withoutLine(text: string, line: string): string {
  return text
    .split('\n')
    .filter((l) => l !== line)
    .join('\n');
}

describe('editManifest on the repo manifests (one directive, every other byte kept)', () => {
  it('set-eviction-policy: one -/+ pair in the redis.conf block of the two-document file', () => {
    const edit = editManifest(REDIS_PATH, redisFile, redis('maxmemory-policy', 'volatile-lru'));
    expect(edit).toMatchObject({ changed: true, before: 'allkeys-lru' });
    const diff = unifiedDiff(REDIS_PATH, redisFile, edit.text);
    expect(changedLines(diff)).toEqual(['-    maxmemory-policy allkeys-lru', '+    maxmemory-policy volatile-lru']);
    expect(diff).toBe(
      [
        `--- a/${REDIS_PATH}`,
        `+++ b/${REDIS_PATH}`,
        '@@ -10,7 +10,7 @@',
        ' data:',
        '   redis.conf: |',
        '     maxmemory 512mb',
        '-    maxmemory-policy allkeys-lru',
        '+    maxmemory-policy volatile-lru',
        '     appendonly yes',
        ' ---',
        ' apiVersion: v1',
        '',
      ].join('\n'),
    );
    expect(withoutLine(edit.text, '    maxmemory-policy volatile-lru')).toBe(
      withoutLine(redisFile, '    maxmemory-policy allkeys-lru'),
    );
  });

  it('set-maxmemory: one pair; the same size in other units is no change', () => {
    const [change] = redisConfChanges('redis-session-config', [{ parameter: 'maxmemory', value: '1gb' }]);
    const same = change?.kind === 'redis-directive' ? change.same : undefined;
    const edit = editManifest(REDIS_PATH, redisFile, redis('maxmemory', '1gb', same));
    expect(changedLines(unifiedDiff(REDIS_PATH, redisFile, edit.text))).toEqual([
      '-    maxmemory 512mb',
      '+    maxmemory 1gb',
    ]);
    const noop = editManifest(REDIS_PATH, redisFile, redis('maxmemory', '536870912', same));
    expect(noop).toEqual({ text: redisFile, changed: false, before: '512mb' });
  });

  it('tune-aof: each AOF directive (absent from the file) is appended at the block end with its indentation', () => {
    for (const [directive, value] of [
      ['auto-aof-rewrite-percentage', '100'],
      ['auto-aof-rewrite-min-size', '128mb'],
      ['appendfsync', 'everysec'],
    ] as const) {
      const edit = editManifest(REDIS_PATH, redisFile, redis(directive, value));
      const diff = unifiedDiff(REDIS_PATH, redisFile, edit.text);
      expect(changedLines(diff)).toEqual([`+    ${directive} ${value}`]);
      expect(diff).toContain(`     appendonly yes\n+    ${directive} ${value}\n ---\n`);
      expect(withoutLine(edit.text, `    ${directive} ${value}`)).toBe(redisFile);
    }
  });

  it('enable-sliding-window: session_sliding_window keeps its double quotes', () => {
    const disabled = appFile.replace('session_sliding_window: "true"', 'session_sliding_window: "false"');
    const edit = editManifest(APP_PATH, disabled, {
      kind: 'data-key',
      configMap: 'langgraph-agent-config',
      key: 'session_sliding_window',
      value: 'true',
    });
    expect(edit.before).toBe('false');
    expect(edit.text).toBe(appFile);
    expect(changedLines(unifiedDiff(APP_PATH, disabled, edit.text))).toEqual([
      '-  session_sliding_window: "false"',
      '+  session_sliding_window: "true"',
    ]);
    const already = editManifest(APP_PATH, appFile, {
      kind: 'data-key',
      configMap: 'langgraph-agent-config',
      key: 'session_sliding_window',
      value: 'true',
    });
    expect(already).toEqual({ text: appFile, changed: false, before: 'true' });
  });
});

describe('editManifest: CRLF, comments, several documents, quoting, errors', () => {
  const crlf = [
    '# Redis for sessions: a Secret of the same name first (some charts keep redis.conf in one)',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: redis-session-config',
    'data:',
    '  redis.conf: |',
    '    maxmemory-policy allkeys-lru',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    "  name: 'redis-session-config' # quoted name",
    'data:',
    '  # the server config',
    '  redis.conf: |',
    '      # eviction: keep sessions',
    '      maxmemory-policy allkeys-lru   ',
    '',
    '      appendonly yes # not a comment for redis',
    '',
    "  extra: 'x'",
    '',
  ].join('\r\n');

  it('edits the named ConfigMap only (not a Secret of that name), in CRLF, keeping comments, blank lines and deeper indentation', () => {
    const edit = editManifest('cm.yaml', crlf, redis('maxmemory-policy', 'volatile-ttl'));
    expect(edit.text).toBe(
      crlf.replace('      maxmemory-policy allkeys-lru   \r\n', '      maxmemory-policy volatile-ttl\r\n'),
    );
    const appended = editManifest('cm.yaml', crlf, redis('maxmemory', '2gb'));
    expect(appended.text).toBe(
      crlf.replace('      appendonly yes # not a comment for redis\r\n', '$&      maxmemory 2gb\r\n'),
    );
  });

  it('keeps single quotes and quotes a plain value that YAML would read as a boolean', () => {
    const single = "kind: ConfigMap\nmetadata: {name: app}\ndata:\n  session_sliding_window: 'false'\n";
    const change = { kind: 'data-key', configMap: 'app', key: 'session_sliding_window', value: 'true' } as const;
    expect(editManifest('a.yaml', single, change).text).toBe(single.replace("'false'", "'true'"));
    const plain = 'kind: ConfigMap\nmetadata: {name: app}\ndata:\n  session_sliding_window: off # old\n';
    expect(editManifest('a.yaml', plain, change).text).toBe(plain.replace('off', '"true"'));
  });

  it('an empty redis.conf block gets the directive at the indentation under its key; |- at the end of the file too', () => {
    const empty = 'kind: ConfigMap\nmetadata:\n  name: redis-session-config\ndata:\n  redis.conf: |\n  other: x\n';
    expect(editManifest('e.yaml', empty, redis('maxmemory', '1gb')).text).toBe(
      empty.replace('redis.conf: |\n', 'redis.conf: |\n    maxmemory 1gb\n'),
    );
    const strip =
      'kind: ConfigMap\nmetadata:\n  name: redis-session-config\ndata:\n  redis.conf: |-\n    appendonly yes';
    expect(editManifest('s.yaml', strip, redis('maxmemory', '1gb')).text).toBe(`${strip}\n    maxmemory 1gb`);
  });

  it('edits a plain redis.conf file (kustomize configMapGenerator files)', () => {
    const conf = 'maxmemory 1gb\r\nmaxmemory-policy allkeys-lru\r\n';
    const edit = editManifest('redis/redis.conf', conf, redis('maxmemory-policy', 'volatile-lru'));
    expect(edit.text).toBe('maxmemory 1gb\r\nmaxmemory-policy volatile-lru\r\n');
  });

  it('says which file and key when the ConfigMap or the key is missing', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('expected an error');
    };
    const noKey = err(() => editManifest(APP_PATH, appFile, redis('maxmemory', '1gb')));
    expect(noKey).toBeInstanceOf(ManifestEditError);
    expect((noKey as Error).message).toBe(
      `${APP_PATH} holds no ConfigMap named "redis-session-config": check gitops.files for this environment.`,
    );
    const missing = err(() =>
      editManifest(APP_PATH, appFile, {
        kind: 'data-key',
        configMap: 'langgraph-agent-config',
        key: 'session_slide',
        value: 'true',
      }),
    );
    expect((missing as ManifestEditError).reason).toBe('key_not_found');
    expect((missing as Error).message).toMatch(
      /manifests\/demo\/app-config\.yaml: ConfigMap "langgraph-agent-config" has no data key session_slide/,
    );
  });
});

describe('unifiedDiff', () => {
  it('renders separate hunks with 3 lines of context and the missing final newline', () => {
    const a = Array.from({ length: 12 }, (_, i) => `l${i + 1}`).join('\n');
    const b = a.replace('l2', 'L2').replace('l12', 'L12');
    expect(unifiedDiff('f', a, b)).toBe(
      [
        '--- a/f',
        '+++ b/f',
        '@@ -1,5 +1,5 @@',
        ' l1',
        '-l2',
        '+L2',
        ' l3',
        ' l4',
        ' l5',
        '@@ -9,4 +9,4 @@',
        ' l9',
        ' l10',
        ' l11',
        '-l12',
        '\\ No newline at end of file',
        '+L12',
        '\\ No newline at end of file',
        '',
      ].join('\n'),
    );
    expect(unifiedDiff('f', a, a)).toBe('');
  });
});
