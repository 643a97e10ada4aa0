// Fields that errors from Node, fetch and client libraries carry beyond `Error`'s own (`code`, `cause`),
// read without casts: each helper accepts anything and answers only what is there, with the right type.
//   errorCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) // 'ECONNREFUSED'

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? Reflect.get(err, name) : undefined;
}

/** The string `code` of an error-like value (a Node errno such as `ECONNREFUSED`), else undefined. */
export function errorCode(err: unknown): string | undefined {
  const code = field(err, 'code');
  return typeof code === 'string' ? code : undefined;
}

/** The `cause` an error-like value wraps (fetch and undici wrap the socket error), else undefined. */
export function errorCause(err: unknown): unknown {
  return field(err, 'cause');
}

/** The string `message` of an error-like value (an Error or a plain object with one), else undefined. */
export function errorMessage(err: unknown): string | undefined {
  const message = field(err, 'message');
  return typeof message === 'string' ? message : undefined;
}

/** The string `name` of an error-like value (`AbortError`, `TimeoutError`), else undefined. */
export function errorName(err: unknown): string | undefined {
  const name = field(err, 'name');
  return typeof name === 'string' ? name : undefined;
}
