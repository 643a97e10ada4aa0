// Redis replies that ioredis types as `unknown` (CONFIG GET, SCRIPT LOAD, CLUSTER NODES, HGETALL through a
// pipeline), checked here once so that the adapters hand typed values on. A reply of another shape is an
// Error naming the command, which the callers classify like any other failure.
import { ReplyError } from 'ioredis';
import { z } from 'zod';

/**
 * redis-errors' `ReplyError`, the class of every error reply ioredis rejects with. ioredis re-exports it
 * typed as `any`; this is the one place that says what it is.
 */
// Cast: ioredis declares `ReplyError: any`; at run time it is a subclass of Error (redis-errors).
export const IoReplyError = ReplyError as typeof Error;

const configGetReply = z.array(z.string());
const textReply = z.union([z.string(), z.instanceof(Buffer)]).transform((v) => v.toString());
const hashReply = z.record(z.string(), z.string());

function parsed<S extends z.ZodType>(schema: S, reply: unknown, command: string): z.output<S> {
  const result = schema.safeParse(reply);
  if (!result.success) throw new Error(`unexpected reply to ${command}: ${result.error.issues[0]?.message ?? ''}`);
  return result.data;
}

/** The value of a `CONFIG GET <one parameter>` reply (`[name, value]`); undefined when Redis knows no such parameter. */
export function configGetValue(reply: unknown): string | undefined {
  return parsed(configGetReply, reply, 'CONFIG GET')[1];
}

/** A bulk or simple string reply (`SCRIPT LOAD`'s SHA, `CLUSTER NODES`' text) as text. */
export function textOf(reply: unknown, command: string): string {
  return parsed(textReply, reply, command);
}

/** An `HGETALL` reply: field -> value. */
export function hashOf(reply: unknown): Record<string, string> {
  return parsed(hashReply, reply, 'HGETALL');
}
