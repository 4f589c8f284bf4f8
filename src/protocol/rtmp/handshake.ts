/**
 * RTMP handshake (Adobe RTMP spec 5.2) as pure state machines over bytes.
 *
 * Server: C0+C1 (1537 bytes) → S0+S1+S2 (3073 bytes) → C2 (1536 bytes) → done.
 * - C1 with a valid FP9 digest (scheme 0 or 1, Genuine FP key): S1 carries our
 *   digest in the same scheme with non-zero version bytes, S2 is signed with
 *   HMAC(Genuine FMS key, C1 digest) — ffmpeg (when playing, S1[4] >= 3) and
 *   librtmp verify both.
 * - Otherwise (plain clients, version-0 clients, unknown digests): S1 bytes
 *   4–7 are zero, which makes librtmp fall back to the plain handshake, and S2
 *   echoes C1.
 * C2 content is not checked (nginx-rtmp does not either). Bytes received after
 * C2 (clients often send `connect` right behind it) come back as `leftover`.
 */
import { randomFillSync } from "node:crypto";
import {
  type DigestScheme,
  FMS_KEY_OPEN,
  FP_KEY_OPEN,
  findDigest,
  GENUINE_FMS_KEY,
  GENUINE_FP_KEY,
  HANDSHAKE_SIZE,
  imprintDigest,
  signResponse,
  verifyResponse,
} from "./handshake-digest.js";
import { RtmpErrorCode, RtmpProtocolError } from "./rtmp-error.js";

export { HANDSHAKE_SIZE } from "./handshake-digest.js";

/** RTMP version in C0/S0 (spec 5.2.2). 6 would be RTMPE, which onair does not offer. */
export const RTMP_VERSION = 3;
/** Version bytes we put in a digest S1 (nginx-rtmp sends 0D 0E 0A 0D). */
export const SERVER_VERSION = Buffer.from([0x0d, 0x0e, 0x0a, 0x0d]);
/** Version bytes the client side puts in a digest C1 (Flash 9.0.124.2, as ffmpeg). */
export const CLIENT_VERSION = Buffer.from([9, 0, 124, 2]);

export interface HandshakeStep {
  /** Bytes to send now (empty when nothing to send). */
  output: Buffer;
  done: boolean;
  /** Bytes after the handshake, to be fed to the chunk decoder (only once done). */
  leftover: Buffer;
}

export interface HandshakeOptions {
  /** Fills a buffer with random bytes (default crypto.randomFillSync). */
  random?: (buf: Buffer) => void;
  /** The 4-byte time field of S1/C1 (ms, default 0). */
  time?: number;
  /**
   * `feed`'s bytes are valid only during the call (a read buffer shared by
   * every connection): the handshake copies what it keeps of them (a partial
   * C0C1 or C2) instead of the caller copying every read.
   */
  transientInput?: boolean;
}

const EMPTY: Buffer = Buffer.alloc(0);

/** Collects bytes until `size` are there; keeps the rest. */
class Accumulator {
  #parts: Buffer[] = [];
  #length = 0;

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.#parts.push(data);
    this.#length += data.length;
  }

  get length(): number {
    return this.#length;
  }

  /** Removes and returns the first `size` bytes (contiguous). */
  take(size: number): Buffer {
    const all = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#length);
    this.#parts = all.length > size ? [all.subarray(size)] : [];
    this.#length = all.length - size;
    return all.subarray(0, size);
  }

  first(): number {
    return this.#parts[0]![0]!;
  }

  /** Copies what is held into a buffer of its own (the input was a view valid only during the call). */
  own(): void {
    if (this.#length > 0) this.#parts = [Buffer.concat(this.#parts, this.#length)];
  }

  rest(): Buffer {
    return this.#length === 0 ? EMPTY : this.take(this.#length);
  }
}

function makePacket(opts: HandshakeOptions, version: Buffer | null, into?: Buffer): Buffer {
  const p = into ?? Buffer.allocUnsafe(HANDSHAKE_SIZE);
  (opts.random ?? randomFillSync)(p);
  p.writeUInt32BE((opts.time ?? 0) >>> 0, 0);
  if (version) version.copy(p, 4);
  else p.writeUInt32BE(0, 4);
  return p;
}

function checkVersion(v: number, who: string): void {
  if (v !== RTMP_VERSION) {
    throw new RtmpProtocolError(RtmpErrorCode.HandshakeVersion, `${who} asked for RTMP version ${v}, not 3`, {
      version: v,
    });
  }
}

/** Server side. `feed` throws RtmpProtocolError when C0 is not version 3. */
export class ServerHandshake {
  readonly #opts: HandshakeOptions;
  readonly #acc = new Accumulator();
  #state: "c0c1" | "c2" | "done" = "c0c1";
  /** Whether the client sent a valid digest (and got a digest answer), once C1 is read. */
  digest = false;
  scheme: DigestScheme | null = null;
  /** C1 bytes 4–7 (client version; 0 for old/plain clients). */
  clientVersion = 0;

  constructor(opts: HandshakeOptions = {}) {
    this.#opts = opts;
  }

  get done(): boolean {
    return this.#state === "done";
  }

  feed(data: Buffer): HandshakeStep {
    if (this.#state === "done") return { output: EMPTY, done: true, leftover: data };
    this.#acc.push(data);
    let output: Buffer = EMPTY;
    if (this.#state === "c0c1" && this.#acc.length >= 1 + HANDSHAKE_SIZE) {
      const c0c1 = this.#acc.take(1 + HANDSHAKE_SIZE);
      checkVersion(c0c1[0]!, "client");
      output = this.#answer(c0c1.subarray(1));
      this.#state = "c2";
    }
    if (this.#state === "c2" && this.#acc.length >= HANDSHAKE_SIZE) {
      this.#acc.take(HANDSHAKE_SIZE);
      this.#state = "done";
      return { output, done: true, leftover: this.#acc.rest() };
    }
    // Reject a wrong C0 at once (e.g. an HTTP request) instead of waiting for 1537 bytes.
    if (this.#state === "c0c1" && this.#acc.length > 0) checkVersion(this.#acc.first(), "client");
    if (this.#opts.transientInput) this.#acc.own();
    return { output, done: false, leftover: EMPTY };
  }

  #answer(c1: Buffer): Buffer {
    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    this.clientVersion = c1.readUInt32BE(4);
    const found = this.clientVersion !== 0 ? findDigest(c1, FP_KEY_OPEN) : null;
    const s1 = out.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_SIZE);
    if (found) {
      this.digest = true;
      this.scheme = found.scheme;
      makePacket(this.#opts, SERVER_VERSION, s1);
      imprintDigest(s1, found.scheme, FMS_KEY_OPEN);
      (this.#opts.random ?? randomFillSync)(s2);
      signResponse(s2, c1.subarray(found.pos, found.pos + 32), GENUINE_FMS_KEY);
    } else {
      makePacket(this.#opts, null, s1);
      c1.copy(s2);
    }
    return out;
  }
}

export interface ClientHandshakeOptions extends HandshakeOptions {
  /** Send a digest C1 (FP9) in this scheme; plain (version 0) when null. Default 0. */
  scheme?: DigestScheme | null;
}

/** Client side, for tests and benchmarks: `start()` gives C0+C1, `feed` takes S0+S1+S2. */
export class ClientHandshake {
  readonly #opts: ClientHandshakeOptions;
  readonly #acc = new Accumulator();
  #c1: Buffer | null = null;
  #c1DigestPos = -1;
  #done = false;
  /** After S1/S2: whether the server answered with a digest S1, and whether S1/S2 verified. */
  serverDigest = false;
  serverVerified = false;

  constructor(opts: ClientHandshakeOptions = {}) {
    this.#opts = opts;
  }

  get done(): boolean {
    return this.#done;
  }

  start(): Buffer {
    const scheme = this.#opts.scheme === undefined ? 0 : this.#opts.scheme;
    const out = Buffer.allocUnsafe(1 + HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    const c1 = makePacket(this.#opts, scheme === null ? null : CLIENT_VERSION);
    if (scheme !== null) this.#c1DigestPos = imprintDigest(c1, scheme, FP_KEY_OPEN);
    c1.copy(out, 1);
    this.#c1 = c1;
    return out;
  }

  feed(data: Buffer): HandshakeStep {
    if (!this.#c1) throw new Error("ClientHandshake.start() first");
    this.#acc.push(data);
    if (this.#done || this.#acc.length < 1 + 2 * HANDSHAKE_SIZE) {
      return { output: EMPTY, done: this.#done, leftover: this.#done ? this.#acc.rest() : EMPTY };
    }
    const s = this.#acc.take(1 + 2 * HANDSHAKE_SIZE);
    checkVersion(s[0]!, "server");
    const s1 = s.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = s.subarray(1 + HANDSHAKE_SIZE);
    this.#done = true;
    return { output: this.#reply(s1, s2), done: true, leftover: this.#acc.rest() };
  }

  #reply(s1: Buffer, s2: Buffer): Buffer {
    this.serverDigest = s1.readUInt32BE(4) !== 0;
    const found = this.serverDigest ? findDigest(s1, FMS_KEY_OPEN) : null;
    if (!found) {
      this.serverVerified = !this.serverDigest && s2.equals(this.#c1!);
      return Buffer.from(s1); // plain: C2 echoes S1
    }
    const c1Digest =
      this.#c1DigestPos >= 0 ? this.#c1!.subarray(this.#c1DigestPos, this.#c1DigestPos + 32) : null;
    this.serverVerified = c1Digest !== null && verifyResponse(s2, c1Digest, GENUINE_FMS_KEY);
    const c2 = Buffer.allocUnsafe(HANDSHAKE_SIZE);
    (this.#opts.random ?? randomFillSync)(c2);
    signResponse(c2, s1.subarray(found.pos, found.pos + 32), GENUINE_FP_KEY);
    return c2;
  }
}
