import { isMap, isScalar, parseAllDocuments, Scalar, type Document } from 'yaml';
import { setDirective } from '../redis-conf.js';

/**
 * The one change a GitOps fix makes to a manifest file: a `redis.conf` directive inside the Redis
 * ConfigMap's block scalar, or one key of the app ConfigMap's `data` (e.g. `session_sliding_window`).
 * A file whose name ends in `.conf` is the redis.conf itself (kustomize `configMapGenerator: files:`).
 */
export type ManifestChange =
  | { kind: 'redis-directive'; configMap: string; directive: string; value: string; same?: SameValue }
  | { kind: 'data-key'; configMap: string; key: string; value: string };

/** Whether the current value already means the wanted one (e.g. `512mb` and `536870912`). */
export type SameValue = (current: string, wanted: string) => boolean;

export interface ManifestEditResult {
  /** The whole new file (identical to the input when nothing changes). */
  text: string;
  changed: boolean;
  /** The value before, unquoted; undefined when the directive was absent. */
  before?: string;
}

/** The key of the Redis ConfigMap that holds the configuration. */
export const REDIS_CONF_KEY = 'redis.conf';

/** The file does not hold what the change edits; the message names the file and the key. */
export class ManifestEditError extends Error {
  override name = 'ManifestEditError';
  constructor(
    message: string,
    readonly reason: 'not_yaml' | 'configmap_not_found' | 'key_not_found' | 'unsupported_style',
  ) {
    super(message);
  }
}

/**
 * Applies `change` to the text of the manifest file at `path`, keeping every other byte (comments, key order,
 * quoting, indentation, line endings). Throws ManifestEditError when the ConfigMap or key is not there.
 */
export function editManifest(path: string, text: string, change: ManifestChange): ManifestEditResult {
  if (change.kind === 'redis-directive' && path.endsWith('.conf')) return editConf(text, change);
  const doc = configMapDocument(path, text, change.configMap);
  const key = change.kind === 'redis-directive' ? REDIS_CONF_KEY : change.key;
  const data = doc.get('data', true);
  const pair = isMap(data) ? data.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
  const node = pair?.value;
  if (!isScalar(node) || !node.range)
    throw new ManifestEditError(
      `${path}: ConfigMap "${change.configMap}" has no data key ${key}; the fix cannot be written to Git as previewed.`,
      'key_not_found',
    );
  return change.kind === 'redis-directive'
    ? editBlock(path, text, node, change)
    : editValue(path, text, node, change.key, change.value);
}

function editConf(text: string, c: { directive: string; value: string; same?: SameValue }): ManifestEditResult {
  const edit = setDirective(text, c.directive, c.value, c.same);
  return { text: edit.text, changed: edit.changed, ...(edit.before !== undefined ? { before: edit.before } : {}) };
}

/** The document of the file that is the ConfigMap `name` (a file may hold several, split by `---`). */
function configMapDocument(path: string, text: string, name: string): Document.Parsed {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0))
    throw new ManifestEditError(`${path} is not valid YAML; the fix cannot be written to Git.`, 'not_yaml');
  const doc = docs.find((d) => d.get('kind') === 'ConfigMap' && d.getIn(['metadata', 'name']) === name);
  if (!doc)
    throw new ManifestEditError(
      `${path} holds no ConfigMap named "${name}": check gitops.files for this environment.`,
      'configmap_not_found',
    );
  return doc;
}

interface RawLine {
  raw: string;
  /** The line without its indentation and line ending. */
  body: string;
  eol: string;
}

function rawLines(text: string): RawLine[] {
  const out: RawLine[] = [];
  const re = /([^\n]*?)(\r?\n|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m[0] !== '') out.push({ raw: m[0], body: m[1] ?? '', eol: m[2] ?? '' });
  return out;
}

/**
 * Edits a directive inside the literal block scalar (`redis.conf: |`): the block's lines lose their
 * indentation, `setDirective` edits that text, and the lines are put back with the indentation they had
 * (a new line gets the block's). Trailing blank lines stay outside the edit, so an appended directive
 * follows the last line of the configuration.
 */
function editBlock(
  path: string,
  text: string,
  node: Scalar,
  c: { directive: string; value: string; same?: SameValue },
): ManifestEditResult {
  if (node.type !== Scalar.BLOCK_LITERAL)
    throw new ManifestEditError(
      `${path}: ${REDIS_CONF_KEY} is not a literal block (${REDIS_CONF_KEY}: |); change ${c.directive} by hand.`,
      'unsupported_style',
    );
  const start = node.range?.[0] ?? 0;
  const headerEnd = text.indexOf('\n', start) + 1;
  if (headerEnd === 0)
    throw new ManifestEditError(
      `${path}: ${REDIS_CONF_KEY} is empty at the end of the file; add ${c.directive} by hand.`,
      'unsupported_style',
    );
  const lines = rawLines(text.slice(headerEnd));
  const indentOf = (l: RawLine) => /^[ ]*/.exec(l.body)?.[0].length ?? 0;
  const blank = (l: RawLine) => l.body.trim() === '';
  // The block holds the lines indented deeper than its key; an empty block gets the key's indentation + 2.
  const keyIndent = /^[ ]*/.exec(text.slice(text.lastIndexOf('\n', start) + 1))?.[0].length ?? 0;
  const first = lines.find((l) => !blank(l));
  const indent = first && indentOf(first) > keyIndent ? indentOf(first) : keyIndent + 2;
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l || (!blank(l) && indentOf(l) < indent)) break;
    if (!blank(l)) end = i + 1;
  }
  const block = lines.slice(0, end);
  const inner = block.map((l) => ({ ...l, body: blank(l) ? '' : l.body.slice(indent) }));
  const edit = setDirective(inner.map((l) => l.body + l.eol).join(''), c.directive, c.value, c.same);
  const before = edit.before !== undefined ? { before: edit.before } : {};
  if (!edit.changed) return { text, changed: false, ...before };
  const pad = ' '.repeat(indent);
  const edited = rawLines(edit.text).map((l, i) =>
    block[i] && inner[i]?.body === l.body && inner[i]?.eol === l.eol ? (block[i]?.raw ?? '') : pad + l.body + l.eol,
  );
  const blockStart = headerEnd;
  const blockEnd = headerEnd + block.reduce((n, l) => n + l.raw.length, 0);
  return { text: text.slice(0, blockStart) + edited.join('') + text.slice(blockEnd), changed: true, ...before };
}

/** Replaces a scalar value in place, in the quoting style it had (a plain `true` is quoted: data values are strings). */
function editValue(path: string, text: string, node: Scalar, key: string, value: string): ManifestEditResult {
  const current = typeof node.value === 'string' ? node.value : String(node.value);
  if (current === value) return { text, changed: false, before: current };
  const [start, end] = node.range ?? [0, 0];
  let written: string;
  if (node.type === Scalar.QUOTE_SINGLE) written = `'${value.replace(/'/g, "''")}'`;
  else if (
    node.type === Scalar.PLAIN &&
    /^[A-Za-z0-9_./-]+$/.test(value) &&
    !/^(true|false|yes|no|on|off|null|~|[-+]?[0-9.]+)$/i.test(value)
  )
    written = value;
  else if (node.type === Scalar.PLAIN || node.type === Scalar.QUOTE_DOUBLE) written = JSON.stringify(value);
  else
    throw new ManifestEditError(
      `${path}: ${key} is written as a block; set it to "${value}" by hand.`,
      'unsupported_style',
    );
  return { text: text.slice(0, start) + written + text.slice(end), changed: true, before: current };
}

/** Several changes to one file, in order (tune-aof sets two directives in one commit). */
export interface ManifestEditsResult {
  text: string;
  changed: boolean;
  /** Each change's value before, in order; null where the directive was absent. */
  before: (string | null)[];
}

export function editManifestChanges(
  path: string,
  text: string,
  changes: readonly ManifestChange[],
): ManifestEditsResult {
  let out = text;
  const before: (string | null)[] = [];
  for (const change of changes) {
    const edit = editManifest(path, out, change);
    before.push(edit.before ?? null);
    out = edit.text;
  }
  return { text: out, changed: out !== text, before };
}
