/**
 * Where the live engine keeps the chunk encodings of audio and video frames:
 * large slabs carved in order and reused, instead of one Buffer per frame
 * that the garbage collector frees in bulk. A stream at 2.5 Mbit/s makes
 * ~300 KB of frames a second; as separate Buffers they pile up between two
 * collections (1 → 6 MB here, every ~10 s) and the process's RSS rises and
 * falls with them. From slabs, the memory in use is what the GOP caches
 * hold, plus a few slabs, and it stays put.
 *
 * A slab counts the frames carved from it that are still held (`refs`).
 * Once full and held by nothing, it is retired. Players may still have its
 * frames queued for the next flush, so with `quarantine` a retired slab
 * waits for `flushed()` (the server calls it after each flush of every
 * queue) before it is reused. What a socket keeps unsent past a flush holds
 * its slab (`hold`, then `release` once written: OutputQueue).
 *
 * Pure: no I/O, no clock.
 */

export interface PacketArenaOptions {
  /** Bytes of one slab (default 512 KiB). */
  slabBytes?: number;
  /** Largest piece served from a slab; bigger ones get a Buffer of their own (default slabBytes / 2). */
  maxPiece?: number;
  /** Retired slabs wait for flushed() before reuse (players may have their frames queued). */
  quarantine?: boolean;
  /** Spare slabs kept beyond those in use: at least this many (default 2), at most as many as are in use. */
  minSpare?: number;
  /** Fill slabs with 0xEE when they become reusable, so a stale view reads garbage (tests). */
  poison?: boolean;
}

export const POISON_BYTE = 0xee;

export class ArenaSlab {
  readonly buf: Buffer;
  /** Bytes carved so far. */
  used = 0;
  /** Pieces carved from it (or held in it) and not yet released. */
  refs = 0;
  /** Retired, waiting for flushed(). */
  waiting = false;

  constructor(bytes: number) {
    this.buf = Buffer.allocUnsafeSlow(bytes);
  }
}

export interface ArenaStats {
  /** Slabs alive (current, held, quarantined, spare). */
  slabs: number;
  slabBytes: number;
  spare: number;
  quarantined: number;
  /** Pieces handed out (or held by sockets) and not released. */
  pieces: number;
  /** Pieces too big for a slab (their own Buffer), since the start. */
  oversize: number;
  /** Slabs reused, since the start. */
  reused: number;
}

export class PacketArena {
  readonly slabBytes: number;
  readonly maxPiece: number;
  readonly #quarantine: boolean;
  readonly #minSpare: number;
  readonly #poison: boolean;
  #current: ArenaSlab | null = null;
  /** Slabs by their memory, so a view handed to a socket can hold its slab. */
  readonly #byMemory = new Map<ArrayBufferLike, ArenaSlab>();
  readonly #spare: ArenaSlab[] = [];
  #waiting: ArenaSlab[] = [];
  #slabs = 0;
  #pieces = 0;
  #oversize = 0;
  #reused = 0;
  /** The slab of the last take(), or null when it got a Buffer of its own. */
  lastSlab: ArenaSlab | null = null;

  constructor(o: PacketArenaOptions = {}) {
    this.slabBytes = o.slabBytes ?? 512 * 1024;
    this.maxPiece = Math.min(o.maxPiece ?? this.slabBytes >>> 1, this.slabBytes);
    this.#quarantine = o.quarantine ?? true;
    this.#minSpare = o.minSpare ?? 2;
    this.#poison = o.poison === true;
  }

  /**
   * `n` bytes to write into, held until `release(lastSlab)`. The piece's
   * slab is `lastSlab` right after the call (null: a Buffer of its own,
   * nothing to release).
   */
  take(n: number): Buffer {
    if (n > this.maxPiece) {
      this.#oversize++;
      this.lastSlab = null;
      return Buffer.allocUnsafe(n);
    }
    let s = this.#current;
    if (!s || s.used + n > this.slabBytes) {
      if (s) {
        this.#current = null;
        if (s.refs === 0) this.#retire(s);
      }
      s = this.#spare.pop() ?? null;
      if (s) this.#reused++;
      else {
        s = new ArenaSlab(this.slabBytes);
        this.#byMemory.set(s.buf.buffer, s);
        this.#slabs++;
      }
      s.used = 0;
      this.#current = s;
    }
    const piece = s.buf.subarray(s.used, s.used + n);
    s.used += n;
    s.refs++;
    this.#pieces++;
    this.lastSlab = s;
    return piece;
  }

  /**
   * `buf` is kept beyond the next flush (a socket holds it unsent): when it
   * is a view of a slab, that slab is held until `release(slab)`; null for
   * any other buffer (nothing to release).
   */
  hold(buf: Buffer): ArenaSlab | null {
    const s = this.#byMemory.get(buf.buffer);
    if (!s) return null;
    s.refs++;
    this.#pieces++;
    return s;
  }

  /** The piece carved from (or held in) `slab` is no longer held. */
  release(slab: ArenaSlab): void {
    slab.refs--;
    this.#pieces--;
    if (slab.refs === 0 && slab !== this.#current) this.#retire(slab);
  }

  /** Every queue was flushed: slabs retired before now can be reused. */
  flushed(): void {
    if (this.#waiting.length === 0) return;
    const w = this.#waiting;
    this.#waiting = [];
    for (const s of w) {
      s.waiting = false;
      // Held again since it was retired (a socket kept a view unsent): retired anew once let go.
      if (s.refs === 0) this.#keep(s);
    }
  }

  #retire(s: ArenaSlab): void {
    if (!this.#quarantine) this.#keep(s);
    else if (!s.waiting) {
      s.waiting = true;
      this.#waiting.push(s);
    }
  }

  #keep(s: ArenaSlab): void {
    const inUse = this.#slabs - this.#spare.length - this.#waiting.length;
    if (this.#spare.length >= Math.max(this.#minSpare, inUse)) {
      this.#slabs--; // let it go
      this.#byMemory.delete(s.buf.buffer);
      return;
    }
    if (this.#poison) s.buf.fill(POISON_BYTE);
    this.#spare.push(s);
  }

  stats(): ArenaStats {
    return {
      slabs: this.#slabs,
      slabBytes: this.slabBytes,
      spare: this.#spare.length,
      quarantined: this.#waiting.length,
      pieces: this.#pieces,
      oversize: this.#oversize,
      reused: this.#reused,
    };
  }
}
