/**
 * A unified diff of one file (`--- a/path`, `+++ b/path`, hunks with `context` lines either side), as
 * `git diff` prints it: what the fix's pull request will contain, for the preview and `fix --dry-run`.
 * Empty when the texts are equal. Pure.
 *
 * @example
 * unifiedDiff('cm.yaml', 'a\nmaxmemory 1mb\nb\n', 'a\nmaxmemory 2mb\nb\n')
 * // --- a/cm.yaml\n+++ b/cm.yaml\n@@ -1,3 +1,3 @@\n a\n-maxmemory 1mb\n+maxmemory 2mb\n b\n
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const a = splitKeepingEnds(before);
  const b = splitKeepingEnds(after);
  const ops = diffLines(a, b);
  const out = [`--- a/${path}`, `+++ b/${path}`];
  for (const hunk of hunks(ops, context)) out.push(...renderHunk(hunk));
  return `${out.join('\n')}\n`;
}

type Op = { kind: ' ' | '-' | '+'; line: string; aLine: number; bLine: number };

function splitKeepingEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Common prefix and suffix, then a longest common subsequence of the middle (files here are small). */
function diffLines(a: string[], b: string[]): Op[] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const am = a.slice(p, a.length - s);
  const bm = b.slice(p, b.length - s);
  const ops: Op[] = [];
  const push = (kind: Op['kind'], line: string, ai: number, bi: number) =>
    ops.push({ kind, line, aLine: ai + 1, bLine: bi + 1 });
  for (let i = 0; i < p; i++) push(' ', a[i] ?? '', i, i);
  const middle = lcsOps(am, bm);
  let ai = p;
  let bi = p;
  for (const kind of middle) {
    if (kind === ' ') push(' ', a[ai] ?? '', ai++, bi++);
    else if (kind === '-') push('-', a[ai] ?? '', ai++, bi);
    else push('+', b[bi] ?? '', ai, bi++);
  }
  for (let i = 0; i < s; i++) push(' ', a[a.length - s + i] ?? '', a.length - s + i, b.length - s + i);
  return ops;
}

function lcsOps(a: string[], b: string[]): Op['kind'][] {
  if (a.length * b.length > 4_000_000) return [...a.map(() => '-' as const), ...b.map(() => '+' as const)];
  const w = b.length + 1;
  const t = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      t[i * w + j] =
        a[i] === b[j] ? (t[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(t[(i + 1) * w + j] ?? 0, t[i * w + j + 1] ?? 0);
  const out: Op['kind'][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(' ');
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && (t[(i + 1) * w + j] ?? 0) >= (t[i * w + j + 1] ?? 0))) {
      out.push('-');
      i++;
    } else {
      out.push('+');
      j++;
    }
  }
  return out;
}

/** Runs of changes with `context` unchanged lines either side; runs closer than 2 x context merge. */
function hunks(ops: Op[], context: number): Op[][] {
  const changed = ops.flatMap((o, i) => (o.kind === ' ' ? [] : [i]));
  const out: Op[][] = [];
  let from = -1;
  let to = -1;
  for (const i of changed) {
    if (from >= 0 && i - to <= 2 * context) {
      to = i;
      continue;
    }
    if (from >= 0) out.push(ops.slice(Math.max(0, from - context), to + context + 1));
    from = i;
    to = i;
  }
  if (from >= 0) out.push(ops.slice(Math.max(0, from - context), to + context + 1));
  return out;
}

function renderHunk(hunk: Op[]): string[] {
  const aOps = hunk.filter((o) => o.kind !== '+');
  const bOps = hunk.filter((o) => o.kind !== '-');
  const first = hunk[0];
  const range = (ops: Op[], start: number) =>
    ops.length === 1 ? `${start}` : `${ops.length === 0 ? start - 1 : start},${ops.length}`;
  const header = `@@ -${range(aOps, first?.aLine ?? 1)} +${range(bOps, first?.bLine ?? 1)} @@`;
  const lines = hunk.flatMap((o) => {
    const body = `${o.kind}${o.line.replace(/\r?\n$/, '')}`;
    return o.line.endsWith('\n') ? [body] : [body, '\\ No newline at end of file'];
  });
  return [header, ...lines];
}
