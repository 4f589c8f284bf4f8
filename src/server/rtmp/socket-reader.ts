/**
 * Reads a server-accepted socket into ONE buffer shared by every connection,
 * instead of a new Buffer per read pushed through the Readable stream.
 *
 * Node's public `onread` option (net.Socket / net.connect) does exactly this,
 * but `net.createServer` has no such option in Node 20. The socket a server
 * hands over has not read yet (libuv asks for a buffer only when the fd is
 * readable, on a later loop turn), so setting the same two fields the
 * constructor sets for `onread` and switching the handle to the user buffer
 * (`useUserBuffer`, what the constructor calls) gives the same path: libuv
 * reads into our buffer and Node calls our callback with the byte count,
 * with no Buffer allocated, no `push`, no `'data'` event. EOF, errors,
 * `'close'` and `bytesRead` work as before.
 *
 * The fields are internal (symbols `kBuffer`, `kBufferCb`), so they are looked
 * up by description and the fast path is taken only when both exist and the
 * handle has `useUserBuffer`; otherwise `'data'` events are used. A unit test
 * checks the fast path is taken on the Node this runs on.
 *
 * The callback gets a view valid only until it returns: whatever is kept
 * must be copied (the chunk decoder hands out payloads valid only while
 * each message is handled, `transientPayloads`; the engine copies or
 * encodes what it keeps).
 *
 * At 2.5 Mbit/s ffmpeg writes each chunk header and body separately, ~90
 * reads a second per publisher; each read through the stream path costs a
 * 64 KiB allocation trimmed to size, a Buffer, push/emit and garbage.
 */
import { readSync } from "node:fs";
import type { Socket } from "node:net";

/** Size of the buffer shared by every connection's reads (Node's own read size). */
export const READ_BUFFER_BYTES = 64 * 1024;

export type ReadCallback = (data: Buffer) => void;

interface UserBufferHandle {
  reading?: boolean;
  useUserBuffer?: (buf: Uint8Array) => void;
  readStart?: () => number;
  readStop?: () => number;
}

let shared: Buffer | null = null;
/** The reader of a socket on the shared-buffer path (see SocketReader.#onUserBufferRead). */
const kReader = Symbol("onair.socketReader");

function sharedBuffer(): Buffer {
  shared ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  return shared;
}

/** The descriptor of a connected socket, -1 when Node does not expose it. */
export function socketFd(s: Socket): number {
  const fd = (s as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : -1;
}

/** A non-blocking descriptor's "nothing now" (not an error). */
export function wouldBlock(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
}

function findSymbol(o: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(o).find((s) => s.description === description);
}

/**
 * Calls `onRead` with each read's bytes. With `reusesBuffer` the bytes are a
 * view into the shared buffer, valid during the call only; otherwise (the
 * `'data'` fallback) they are the read's own Buffer, which may be kept.
 */
export class SocketReader {
  readonly socket: Socket;
  readonly reusesBuffer: boolean;
  readonly #handle: UserBufferHandle | null;
  readonly #onRead: ReadCallback;
  readonly #self: unknown;
  #paused = false;
  /** Bytes taken by `readNow` (Node's `bytesRead` counts only its own reads). */
  directBytes = 0;

  /**
   * Node calls the socket's `kBufferCb` as a method of the socket: one
   * function for every socket, which finds its reader on the socket, instead
   * of a closure (and its context) per connection.
   */
  static readonly #onUserBufferRead = function (this: Socket, n: number): void {
    const r = (this as unknown as Record<symbol, SocketReader>)[kReader]!;
    r.#onRead.call(r.#self, sharedBuffer().subarray(0, n));
  };

  /** `onRead` is called with `self` as `this` (a caller passes its own method, no closure). */
  constructor(socket: Socket, onRead: ReadCallback, self?: unknown) {
    this.socket = socket;
    this.#onRead = onRead;
    this.#self = self;
    const kBuffer = findSymbol(socket, "kBuffer");
    const kBufferCb = findSymbol(socket, "kBufferCb");
    const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle ?? null;
    const s = socket as unknown as Record<symbol, unknown>;
    const ok =
      kBuffer !== undefined &&
      kBufferCb !== undefined &&
      s[kBuffer] === null &&
      handle !== null &&
      typeof handle.useUserBuffer === "function" &&
      typeof handle.readStart === "function" &&
      typeof handle.readStop === "function";
    this.reusesBuffer = ok;
    this.#handle = ok ? handle : null;
    if (!ok) {
      socket.on("data", (d: Buffer) => onRead.call(self, d));
      return;
    }
    const buf = sharedBuffer();
    s[kBuffer] = buf;
    s[kReader] = this;
    s[kBufferCb] = SocketReader.#onUserBufferRead;
    handle.useUserBuffer!(buf);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The socket's descriptor, looked up once (-2: not yet). */
  #fdSeen = -2;

  /**
   * The socket's file descriptor when `readNow` can read it (-1: it cannot).
   * Looked up once: `readNow` reads it only while the socket is not
   * destroyed, so it is never a number the kernel has reused since.
   */
  get #fd(): number {
    if (!this.#handle) return -1;
    if (this.#fdSeen === -2) this.#fdSeen = socketFd(this.socket);
    return this.#fdSeen;
  }

  /** True when `readNow` reads (the shared-buffer path, a descriptor); otherwise use `resume`. */
  get canReadNow(): boolean {
    return this.#fd >= 0;
  }

  /**
   * Reads what waits in the kernel now, synchronously, while paused: no
   * poll, no wake-up of its own. This is how the batcher's tick reads a
   * publisher (one wake-up a tick, for the timer, instead of a timer and a
   * read, and no `epoll_ctl` to start and stop reading). The socket is
   * non-blocking (libuv made it so): a read returns at once with what there
   * is, EAGAIN when nothing. Reads again while a read fills the buffer, at
   * most `maxReads` times. EOF and errors destroy the socket as Node's own
   * read would (`'error'` with the error, then `'close'`). Returns the bytes
   * read.
   */
  readNow(maxReads = 64): number {
    const fd = this.#fd;
    if (fd < 0 || !this.#paused || this.socket.destroyed) return 0;
    const buf = sharedBuffer();
    let total = 0;
    for (let i = 0; i < maxReads; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if (!wouldBlock(e)) this.socket.destroy(e as Error);
        return total;
      }
      if (n === 0) {
        // The peer's FIN: nothing more will come.
        this.socket.destroy();
        return total;
      }
      total += n;
      this.directBytes += n;
      this.#onRead.call(this.#self, buf.subarray(0, n));
      if (n < buf.length || !this.#paused || this.socket.destroyed) return total;
    }
    return total;
  }

  /**
   * Stops reading until `resume` (what Node's Socket.pause does for an
   * `onread` socket, without the stream bookkeeping around it).
   */
  pause(): void {
    this.#setReading(false);
  }

  resume(): void {
    this.#setReading(true);
  }

  #setReading(on: boolean): void {
    if (this.#paused !== on || this.socket.destroyed) return;
    this.#paused = !on;
    const h = this.#handle;
    if (!h) {
      if (on) this.socket.resume();
      else this.socket.pause();
      return;
    }
    h.reading = on;
    const err = on ? h.readStart!() : h.readStop!();
    if (err) this.socket.destroy(new Error(`${on ? "readStart" : "readStop"} failed (${err})`));
  }
}
