/** Growable big-endian writer; `finish()` returns a view of what was written. */
export class ByteWriter {
  #buf: Buffer;
  offset = 0;

  constructor(initial = 256) {
    this.#buf = Buffer.allocUnsafe(initial);
  }

  #ensure(n: number): void {
    if (this.offset + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.offset);
    this.#buf = next;
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#buf[this.offset++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.#ensure(2);
    this.#buf.writeUInt16BE(v & 0xffff, this.offset);
    this.offset += 2;
    return this;
  }

  u24(v: number): this {
    this.#ensure(3);
    this.#buf.writeUIntBE(v & 0xffffff, this.offset, 3);
    this.offset += 3;
    return this;
  }

  i24(v: number): this {
    this.#ensure(3);
    this.#buf.writeIntBE(v, this.offset, 3);
    this.offset += 3;
    return this;
  }

  u32(v: number): this {
    this.#ensure(4);
    this.#buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }

  u32le(v: number): this {
    this.#ensure(4);
    this.#buf.writeUInt32LE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }

  f64(v: number): this {
    this.#ensure(8);
    this.#buf.writeDoubleBE(v, this.offset);
    this.offset += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.offset);
  }
}
