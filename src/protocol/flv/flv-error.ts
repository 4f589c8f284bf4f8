import { OnairError } from "../../util/errors.js";

/** Any FLV/codec-config parse failure: the one error type the FLV parsers throw. */
export class FlvError extends OnairError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** Runs `fn`, turning a truncation (or any bounds error) into an FlvError. */
export function asFlvError<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FlvError) throw e;
    const err = e as { code?: string; message?: string; context?: Record<string, unknown> };
    throw new FlvError("ONAIR_FLV_TRUNCATED", `${what}: ${err.message ?? String(e)}`, err.context ?? {});
  }
}
