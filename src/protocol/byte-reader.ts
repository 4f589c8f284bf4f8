import { OnairError } from "../util/errors.js";

/** Thrown when a codec reads past the end of its input. */
export class TruncatedError extends OnairError {
  constructor(offset: number, wanted: number, available: number) {
    super(
      "ONAIR_TRUNCATED",
      `truncated input: wanted ${wanted} bytes at offset ${offset}, ${available} left`,
      {
        offset,
        wanted,
        available,
      },
    );
  }
}

/** Bounds-checked big-endian reader over a Buffer; never copies (subarray). */
export class ByteReader {
  offset: number;
  readonly buf: Buffer;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  need(n: number): void {
    if (n < 0 || this.offset + n > this.end) throw new TruncatedError(this.offset, n, this.end - this.offset);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = this.buf.readUIntBE(this.offset, 3);
    this.offset += 3;
    return v;
  }

  i24(): number {
    this.need(3);
    const v = this.buf.readIntBE(this.offset, 3);
    this.offset += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  rest(): Buffer {
    return this.bytes(this.end - this.offset);
  }
}
