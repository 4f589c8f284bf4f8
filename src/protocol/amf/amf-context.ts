import { ByteReader, TruncatedError } from "../byte-reader.js";
import { AmfError, AmfErrorCode, type AmfLimits, resolveLimits } from "./amf-error.js";

/** State shared by one decode call (AMF0 and any AMF3 values switched into). */
export class AmfDecodeContext {
  readonly r: ByteReader;
  readonly limits: AmfLimits;
  elements = 0;

  constructor(buf: Buffer, limits?: Partial<AmfLimits>, offset = 0) {
    this.limits = resolveLimits(limits);
    if (buf.length - offset > this.limits.maxTotalBytes) {
      throw new AmfError(
        AmfErrorCode.TooLarge,
        `AMF input of ${buf.length - offset} bytes exceeds the limit`,
        {
          length: buf.length - offset,
          limit: this.limits.maxTotalBytes,
        },
      );
    }
    this.r = new ByteReader(buf, offset);
  }

  /** Counts `n` more decoded elements against maxElements. */
  count(n = 1): void {
    this.elements += n;
    if (this.elements > this.limits.maxElements) {
      throw new AmfError(AmfErrorCode.TooManyElements, "too many AMF elements", {
        limit: this.limits.maxElements,
        offset: this.r.offset,
      });
    }
  }

  enter(depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new AmfError(AmfErrorCode.TooDeep, `AMF nesting deeper than ${this.limits.maxDepth}`, {
        limit: this.limits.maxDepth,
        offset: this.r.offset,
      });
    }
  }

  checkString(len: number): void {
    if (len > this.limits.maxStringLength) {
      throw new AmfError(AmfErrorCode.StringTooLong, `AMF string of ${len} bytes exceeds the limit`, {
        length: len,
        limit: this.limits.maxStringLength,
        offset: this.r.offset,
      });
    }
  }

  utf8(len: number): string {
    this.checkString(len);
    const r = this.r;
    r.need(len);
    const s = r.buf.toString("utf8", r.offset, r.offset + len);
    r.offset += len;
    return s;
  }
}

/** Runs a decode, turning truncation and stack overflow into AmfError. */
export function guardDecode<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AmfError) throw e;
    if (e instanceof TruncatedError) {
      throw new AmfError(AmfErrorCode.Truncated, e.message, { ...e.context });
    }
    if (e instanceof RangeError) {
      throw new AmfError(AmfErrorCode.TooDeep, `AMF decode failed: ${e.message}`);
    }
    throw e;
  }
}
