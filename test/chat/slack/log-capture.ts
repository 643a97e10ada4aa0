import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../src/core/logging.js';

/** A real pino logger whose JSON lines are kept for assertions. */
export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, any>[];
  raw(): string;
}

export function captureLogs(level: 'debug' | 'info' = 'debug'): CapturedLogs {
  const chunks: string[] = [];
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString();
      chunks.push(text);
      for (const l of text.split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, any>);
      cb();
    },
  });
  return { logger: createLogger({ level, destination }), lines, raw: () => chunks.join('') };
}
