import { UserError } from '../core/errors.js';

/** The terminal's options, as `node:util` parseArgs takes them. */
export const CLI_OPTIONS = {
  config: { type: 'string', short: 'c' },
  check: { type: 'string', multiple: true },
  full: { type: 'boolean', default: false },
  fast: { type: 'boolean', default: false },
  'scan-count': { type: 'string' },
  'pause-ms': { type: 'string' },
  json: { type: 'boolean', default: false },
  sample: { type: 'string' },
  wait: { type: 'string' },
  param: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

type OptionName = keyof typeof CLI_OPTIONS;

/** The value each string option takes, for messages (`--config FILE`). */
const VALUE_OF: Readonly<Record<string, string>> = {
  config: 'FILE',
  check: 'ID',
  'scan-count': 'N',
  'pause-ms': 'N',
  sample: 'N',
  wait: 'SECONDS',
  param: 'KEY=VALUE',
};

const NAMES = Object.keys(CLI_OPTIONS);
const isName = (name: string): name is OptionName => Object.hasOwn(CLI_OPTIONS, name);
const SHORT: Readonly<Record<string, OptionName>> = { c: 'config', h: 'help' };

/** Edit distance, for "did you mean" (names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(
        Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)),
      );
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The closest option to a mistyped one (`--dryrun` -> `--dry-run`), when close enough. */
function closest(name: string): string | undefined {
  const best = NAMES.map((n) => ({ n, d: distance(name, n) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? `--${best.n}` : undefined;
}

/** The first word that is not an option or an option's value: the command. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    const name = arg.startsWith('--') ? arg.slice(2) : (SHORT[arg.slice(1)] ?? '');
    if (!arg.includes('=') && VALUE_OF[name]) i++;
  }
  return undefined;
}

/** A usage mistake; `command` names whose usage line goes with it. */
export class CliUsageError extends UserError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message, 'usage');
  }
}

/**
 * Checks every option before parseArgs sees them, so a mistake is answered in our words: an unknown option
 * (with the closest known one), a flag given a value, an option whose value is missing or is the next option.
 */
export function checkOptions(argv: readonly string[]): void {
  const command = commandOf(argv);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return;
    if (!arg.startsWith('-') || arg === '-') continue;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const raw = flag.startsWith('--') ? flag.slice(2) : flag.length === 2 ? (SHORT[flag.slice(1)] ?? '') : '';
    if (!isName(raw)) {
      const hint = closest(flag.replace(/^-+/, ''));
      throw new CliUsageError(`unknown option ${flag}${hint ? ` (did you mean ${hint}?)` : ''}`, command);
    }
    const value = VALUE_OF[raw];
    if (!value) {
      if (eq > 0) throw new CliUsageError(`${flag} takes no value, got "${arg}"`, command);
      continue;
    }
    if (eq > 0) continue;
    const next = argv[i + 1];
    if (next === undefined) throw new CliUsageError(`${flag} needs a value: ${flag} ${value}`, command);
    if (next.startsWith('-') && next !== '-')
      throw new CliUsageError(
        `${flag} needs a value, but the next word is ${next}: write ${flag} ${value}, or ${flag}=${next} if the value starts with -`,
        command,
      );
    i++;
  }
}
