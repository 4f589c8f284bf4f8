/**
 * One base class for every error onair raises on purpose. `code` is stable
 * (ONAIR_<AREA>_<WHAT>) so tests and logs can match on it; context fields
 * carry what a user needs (peer, stream, limit, file and line).
 */
export class OnairError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}
