import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { errorCode } from '../../core/error-fields.js';
import type { Logger } from '../../core/logging.js';
import { slackErrorCode } from './slack-errors.js';

const TO_BOLT: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** The pino level that matches the bot's level, in Bolt's vocabulary (Bolt resets its logger to it). */
export function boltLogLevel(pinoLevel: string): LogLevel {
  return TO_BOLT[pinoLevel] ?? LogLevel.INFO;
}

function describeArgs(args: unknown[]): { msg: string; fields: Record<string, unknown> } {
  const text: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const a of args) {
    if (typeof a === 'string') text.push(a);
    else if (a instanceof Error) {
      // Only the message and codes: web-api errors carry request configs with the Authorization header.
      text.push(a.message);
      fields.err = { name: a.name, message: a.message, code: errorCode(a), slackError: slackErrorCode(a) };
    } else if (a !== undefined) {
      fields.detail = a;
    }
  }
  return { msg: text.join(' '), fields };
}

/**
 * Bolt's Logger interface over pino, so that Bolt's and the WebClient's own lines go through the same
 * redaction as ours (Bolt would otherwise print to the console).
 */
export function createBoltLogger(logger: Logger): BoltLogger {
  let log = logger.child({ component: 'bolt' });
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const { msg, fields } = describeArgs(args);
      log[level](fields, msg);
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel(level: LogLevel) {
      log.level = level;
    },
    getLevel: () => boltLogLevel(log.level),
    setName(name: string) {
      log = log.child({ name });
    },
  };
}
