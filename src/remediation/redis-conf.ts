/**
 * A one-directive editor of a `redis.conf` text. Every line but the one edited stays byte-for-byte
 * (comments, blank lines, order, CRLF endings, other directives), so the ConfigMap diff a person
 * approves is exactly one line. Directive names are matched case-insensitively, as Redis reads them;
 * when a directive appears more than once the last one wins in Redis, so that is the one edited.
 */

export interface DirectiveEdit {
  /** The whole new text (identical to the input when nothing changes). */
  text: string;
  /** Value of the effective (last) occurrence, unquoted; undefined when the directive is absent. */
  before?: string;
  /** How many times the directive appeared. */
  occurrences: number;
  /** 1-based line number of the edited or appended line. */
  line: number;
  changed: boolean;
  /** `-old` / `+new` lines with one line of context (` ctx`) either side; empty when unchanged. */
  diff: string[];
}

interface Line {
  content: string;
  /** `\n`, `\r\n` or '' (last line without a newline). */
  eol: string;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const re = /([^\n]*?)(\r?\n|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m[0] !== '') {
    out.push({ content: m[1] ?? '', eol: m[2] ?? '' });
  }
  return out;
}

/** What follows a backslash inside double quotes, as Redis reads it. */
const UNESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };
/** How a character is written inside double quotes. */
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Splits a line into arguments like Redis' `sdssplitargs`: blanks separate, "double quotes" take
 * `\n \r \t \b \a \\ \" \xHH` escapes, 'single quotes' take `\'`. Undefined when quotes are unbalanced
 * (Redis refuses such a file).
 */
export function splitArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  const blank = (c: string | undefined) =>
    c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
  while (true) {
    while (i < line.length && blank(line[i])) i++;
    if (i >= line.length) return args;
    let cur = '';
    let inDq = false;
    let inSq = false;
    for (;;) {
      const c = line[i];
      if (inDq) {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < line.length) {
          const n = line[++i] ?? '';
          cur += UNESCAPES[n] ?? n;
        } else if (c === '"') {
          if (i + 1 < line.length && !blank(line[i + 1])) return undefined;
          i++;
          break;
        } else cur += c;
      } else if (inSq) {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === "'") {
          cur += "'";
          i++;
        } else if (c === "'") {
          if (i + 1 < line.length && !blank(line[i + 1])) return undefined;
          i++;
          break;
        } else cur += c;
      } else {
        if (c === undefined || blank(c)) break;
        if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else cur += c;
      }
      i++;
    }
    args.push(cur);
  }
}

/** A value as it must be written in redis.conf: bare when it is one plain word, else double-quoted. */
export function quoteValue(value: string): string {
  if (/^[^\s"'\\]+$/.test(value)) return value;
  const escaped = value.replace(/[\\"\n\r\t]/g, (c) => ESCAPES[c] ?? c);
  return `"${escaped}"`;
}

/** Indexes of the lines that set `name` (comments and blank lines skipped, case-insensitive). */
function directiveLines(lines: Line[], name: string): number[] {
  const wanted = name.toLowerCase();
  const found: number[] = [];
  lines.forEach((l, i) => {
    const trimmed = l.content.trimStart();
    if (!trimmed || trimmed.startsWith('#')) return;
    const first = /^\S+/.exec(trimmed)?.[0];
    if (first?.toLowerCase() === wanted) found.push(i);
  });
  return found;
}

/** The value of the effective (last) occurrence of a directive, unquoted; undefined when absent. */
export function readDirective(text: string, name: string): { value?: string; occurrences: number } {
  const lines = splitLines(text);
  const idx = directiveLines(lines, name);
  const last = idx[idx.length - 1];
  if (last === undefined) return { occurrences: 0 };
  const args = splitArgs(lines[last]?.content.trimStart() ?? '');
  return { value: args ? args.slice(1).join(' ') : undefined, occurrences: idx.length };
}

/**
 * Sets one directive: edits its last occurrence in place (keeping the indentation, the name as written
 * and the line ending), or appends `name value` when absent. `same` decides whether the current value
 * already means the new one (e.g. `512mb` and `536870912`); by default exact equality.
 *
 * @example
 * setDirective('maxmemory 512mb\nmaxmemory-policy allkeys-lru\n', 'maxmemory-policy', 'volatile-lru').text
 * // 'maxmemory 512mb\nmaxmemory-policy volatile-lru\n'
 */
export function setDirective(
  text: string,
  name: string,
  value: string,
  same: (current: string, wanted: string) => boolean = (a, b) => a === b,
): DirectiveEdit {
  const lines = splitLines(text);
  const idx = directiveLines(lines, name);
  const last = idx[idx.length - 1];
  const current = last === undefined ? undefined : readDirective(text, name).value;
  const base = { occurrences: idx.length, ...(current !== undefined ? { before: current } : {}) };

  if (last !== undefined && current !== undefined && same(current, value)) {
    return { ...base, text, line: last + 1, changed: false, diff: [] };
  }
  const ctx = (i: number) => (lines[i] ? [` ${lines[i].content}`] : []);
  const old = last === undefined ? undefined : lines[last];
  if (last !== undefined && old) {
    const head = /^(\s*\S+\s+)/.exec(old.content)?.[1] ?? `${old.content.trimEnd()} `;
    const content = `${head}${quoteValue(value)}`;
    const next = lines.map((l, i) => (i === last ? { content, eol: l.eol } : l));
    return {
      ...base,
      text: next.map((l) => l.content + l.eol).join(''),
      line: last + 1,
      changed: true,
      diff: [...ctx(last - 1), `-${old.content}`, `+${content}`, ...ctx(last + 1)],
    };
  }
  const crlf = lines.filter((l) => l.eol === '\r\n').length;
  const eol = crlf > 0 && crlf >= lines.filter((l) => l.eol === '\n').length ? '\r\n' : '\n';
  const content = `${name} ${quoteValue(value)}`;
  const lastLine = lines[lines.length - 1];
  let out: string;
  if (!lastLine) out = `${content}${eol}`;
  else if (lastLine.eol === '') out = `${text}${eol}${content}`;
  else out = `${text}${content}${eol}`;
  return { ...base, text: out, line: lines.length + 1, changed: true, diff: [...ctx(lines.length - 1), `+${content}`] };
}
