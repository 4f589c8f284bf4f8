import { OnairError } from "../../util/errors.js";

/** Stable codes of every AMF decode/encode failure. */
export const AmfErrorCode = {
  Truncated: "ONAIR_AMF_TRUNCATED",
  TooDeep: "ONAIR_AMF_TOO_DEEP",
  TooManyElements: "ONAIR_AMF_TOO_MANY_ELEMENTS",
  StringTooLong: "ONAIR_AMF_STRING_TOO_LONG",
  TooLarge: "ONAIR_AMF_TOO_LARGE",
  UnknownMarker: "ONAIR_AMF_UNKNOWN_MARKER",
  BadReference: "ONAIR_AMF_BAD_REFERENCE",
  Unsupported: "ONAIR_AMF_UNSUPPORTED",
  Unencodable: "ONAIR_AMF_UNENCODABLE",
} as const;
export type AmfErrorCode = (typeof AmfErrorCode)[keyof typeof AmfErrorCode];

/** Every error the AMF codecs raise; other exceptions never escape them. */
export class AmfError extends OnairError {
  constructor(code: AmfErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/**
 * Bounds applied while decoding (and depth while encoding). Each broken bound
 * raises an AmfError with its own code.
 */
export interface AmfLimits {
  /** Nesting of objects/arrays (top-level values are depth 1). */
  maxDepth: number;
  /** Elements decoded in one call, all containers together (members, items). */
  maxElements: number;
  /** Bytes of one string (also XML, long string, ByteArray). */
  maxStringLength: number;
  /** Bytes of the whole input. */
  maxTotalBytes: number;
  /** Entries of each AMF3 reference table (strings, objects, traits). */
  maxReferences: number;
}

export const DEFAULT_AMF_LIMITS: Readonly<AmfLimits> = Object.freeze({
  maxDepth: 64,
  maxElements: 65_536,
  maxStringLength: 1 << 20,
  maxTotalBytes: 16 << 20,
  maxReferences: 65_536,
});

export function resolveLimits(limits?: Partial<AmfLimits>): AmfLimits {
  return limits ? { ...DEFAULT_AMF_LIMITS, ...limits } : DEFAULT_AMF_LIMITS;
}
