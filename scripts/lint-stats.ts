// `npm run lint:stats`: the numbers the code-shape targets are judged by, read from the TypeScript AST of src/.
//   casts     `x as T` and `<T>x` (not `as const`), each should carry a reason in a comment
//   any       the `any` type written anywhere
//   functions longer than 60 / 80 lines (declarations, methods, arrows, function expressions; nested ones count on their own)
//   lines     longer than 120 / 160 characters
// `--check` exits 1 when a limit below is broken (CI runs it); `--list` prints every offender.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Limits of issue 17; composition roots may hold functions up to 80 lines, the rest up to 60. */
export const LIMITS = { casts: 40, any: 0, functionLines: 80, functionLinesOutsideRoots: 60, lineLength: 160 };
const COMPOSITION_ROOTS = /^src\/(main|cli|bot)\.ts$|^src\/app\//;

interface Offender {
  file: string;
  line: number;
  what: string;
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walkFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function functionName(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

function statsOf(file: string, root: string) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const rel = relative(root, file);
  const casts: Offender[] = [];
  const anys: Offender[] = [];
  const functions: (Offender & { lines: number })[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
      const type = node.type.getText();
      if (type !== 'const') casts.push({ file: rel, line: lineOf(node.getStart()), what: `as ${type}` });
    }
    if (node.kind === ts.SyntaxKind.AnyKeyword) anys.push({ file: rel, line: lineOf(node.getStart()), what: 'any' });
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart()) + 1;
      functions.push({ file: rel, line: lineOf(node.getStart()), what: functionName(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const longLines = text
    .split('\n')
    .map((l, i) => ({ file: rel, line: i + 1, what: `${l.length} chars`, length: l.length }))
    .filter((l) => l.length > 120);
  return { casts, anys, functions, longLines };
}

/** Runs the script over `root` (its src/) with `args`; returns the exit code and what it printed. */
export function lintStats(root: string, args: string[]): { code: number; out: string } {
  let out = '';
  const code = report(root, args, (text) => (out += text));
  return { code, out };
}

function report(root: string, args: string[], print: (text: string) => void): number {
  const files = walkFiles(join(root, 'src'));
  const all = files.map((f) => statsOf(f, root));
  const casts = all.flatMap((s) => s.casts);
  const anys = all.flatMap((s) => s.anys);
  const functions = all.flatMap((s) => s.functions);
  const longLines = all.flatMap((s) => s.longLines);
  const over = (n: number) => functions.filter((f) => f.lines > n);
  const overLimit = functions.filter(
    (f) => f.lines > (COMPOSITION_ROOTS.test(f.file) ? LIMITS.functionLines : LIMITS.functionLinesOutsideRoots),
  );
  const rows: [string, number, number | undefined][] = [
    ['files', files.length, undefined],
    ['casts (as T, not as const)', casts.length, LIMITS.casts],
    ['any', anys.length, LIMITS.any],
    ['functions over 60 lines', over(60).length, undefined],
    ['functions over 80 lines', over(80).length, 0],
    ['functions over their limit (80 in roots, 60 elsewhere)', overLimit.length, 0],
    ['functions over 100 lines', over(100).length, undefined],
    ['longest function (lines)', Math.max(0, ...functions.map((f) => f.lines)), undefined],
    ['lines over 120 chars', longLines.length, undefined],
    ['lines over 160 chars', longLines.filter((l) => l.length > 160).length, 0],
    ['longest line (chars)', Math.max(0, ...longLines.map((l) => l.length)), undefined],
  ];
  for (const [label, value, limit] of rows) {
    const mark = limit === undefined ? '' : value > limit ? `  (limit ${limit}: OVER)` : `  (limit ${limit})`;
    print(`${label.padEnd(58)}${String(value).padStart(6)}${mark}\n`);
  }
  if (args.includes('--list')) {
    const show = (title: string, list: Offender[]) => {
      if (!list.length) return;
      print(`\n${title}\n`);
      for (const o of list) print(`  ${o.file}:${o.line}  ${o.what}\n`);
    };
    show('casts', casts);
    show('any', anys);
    show(
      'functions over their limit',
      overLimit.sort((a, b) => b.lines - a.lines).map((f) => ({ ...f, what: `${f.what} (${f.lines} lines)` })),
    );
    show(
      'lines over 160 chars',
      longLines.filter((l) => l.length > 160),
    );
  }
  const broken =
    casts.length > LIMITS.casts ||
    anys.length > LIMITS.any ||
    overLimit.length > 0 ||
    longLines.some((l) => l.length > LIMITS.lineLength);
  if (args.includes('--check') && broken) {
    print('lint:stats: a limit is broken (run `npm run lint:stats -- --list` for the places)\n');
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code, out } = lintStats(process.cwd(), process.argv.slice(2));
  process.stdout.write(out);
  process.exitCode = code;
}
