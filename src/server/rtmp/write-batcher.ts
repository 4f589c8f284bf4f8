/**
 * Coalesces the media a player connection is sent into one writev per
 * `intervalMs` (cork → writes → uncork): the shared buffers are queued by
 * reference (never copied) and one timer serves every connection of the
 * server. A player at 2.5 Mbit/s gets ~70 messages a second; flushing every
 * 50 ms makes that ~20 system calls instead of 70, for at most 50 ms latency.
 *
 * A flush of several buffers is copied into one scratch slab shared by every
 * connection and written as one Buffer: Node's cork/writev path allocates
 * about 1 KiB of heap objects per flush (at 200 players, 4 MB/s of garbage
 * that promotes the GOP cache's packets and keeps their buffers until a full
 * GC). The region written is reused at once when the kernel took all of it
 * (`writableLength` back to 0, the write completed synchronously); otherwise
 * the socket still points into it, so it is left alone and the next flush
 * goes further on (a new slab when this one is used up). Flushes over 64 KiB
 * (a joining player's GOP burst) are not copied: they go by reference as one
 * writev.
 */
import type { Socket } from "node:net";

/** Default flush interval of player output (ms); 0 writes every message at once. */
export const DEFAULT_FLUSH_MS = 50;

export class OutputQueue {
  readonly socket: Socket;
  #bufs: Buffer[] = [];
  #bytes = 0;
  readonly #batcher: WriteBatcher;

  constructor(socket: Socket, batcher: WriteBatcher) {
    this.socket = socket;
    this.#batcher = batcher;
  }

  /** Bytes accepted and not yet sent: queued here plus the socket's own buffer. */
  get pendingBytes(): number {
    return this.#bytes + this.socket.writableLength;
  }

  /** Queues a shared buffer for the next flush. */
  push(buf: Buffer): void {
    if (this.#batcher.intervalMs <= 0) {
      this.socket.write(buf);
      return;
    }
    this.#bufs.push(buf);
    this.#bytes += buf.length;
    if (this.#bufs.length === 1) this.#batcher.schedule(this);
  }

  /** Writes everything queued, in order, as one writev. */
  flush(): void {
    const bufs = this.#bufs;
    if (bufs.length === 0) return;
    this.#bufs = [];
    this.#bytes = 0;
    if (this.socket.destroyed) return;
    if (bufs.length === 1) {
      this.socket.write(bufs[0]!);
      return;
    }
    this.#batcher.slab.write(this.socket, bufs);
  }

  /** Drops what is queued (connection closing). */
  clear(): void {
    this.#bufs = [];
    this.#bytes = 0;
  }
}

/** Size of the shared scratch slab flushes are gathered in. */
export const SLAB_BYTES = 256 * 1024;
/** Larger flushes are written by reference (cork + writev), not copied. */
export const MAX_GATHER_BYTES = 64 * 1024;

/** The scratch memory shared by every connection's flush (see the file comment). */
export class FlushSlab {
  #buf: Buffer = Buffer.allocUnsafeSlow(SLAB_BYTES);
  #off = 0;

  /** Writes `bufs` to `socket` as one Buffer. */
  write(socket: Socket, bufs: Buffer[]): void {
    let n = 0;
    for (const b of bufs) n += b.length;
    if (n > MAX_GATHER_BYTES) {
      // A joiner's GOP burst: too big to copy, and the kernel will not take it at once.
      socket.cork();
      for (const b of bufs) socket.write(b);
      socket.uncork();
      return;
    }
    if (this.#off + n > SLAB_BYTES) {
      this.#buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.#off = 0;
    }
    const start = this.#off;
    let p = start;
    for (const b of bufs) {
      this.#buf.set(b, p);
      p += b.length;
    }
    socket.write(this.#buf.subarray(start, p));
    // Still held by the socket (partial or queued write): never overwrite it.
    if (socket.writableLength > 0) this.#off = p;
  }
}

/** A reader the batcher resumes at each tick (it pauses itself once it has read). */
export interface PacedReader {
  resume(): void;
}

/**
 * One timer for all the output queues of a server, and the paced reads of
 * its publishers.
 *
 * A paced reader (a publisher's socket) is resumed at each tick and pauses
 * itself after its read, then flushes the queues at once (`flushAll`): the
 * loop's poll phase reads all that waited in the kernel in one read, instead
 * of one read per arrival (ffmpeg writes each chunk header and body apart:
 * ~90 reads a second at 2.5 Mbit/s, ~20 paced). A message therefore waits at
 * most one interval in the kernel and is then sent on to players at once;
 * unpaced, it was read at once and waited at most one interval in the queue:
 * the latency bound is the same. The kernel's receive buffer holds one
 * interval of input (16 KiB at 2.5 Mbit/s); a read that fills the read
 * buffer keeps the reader reading (see RtmpConnection).
 */
export class WriteBatcher {
  readonly intervalMs: number;
  readonly slab = new FlushSlab();
  #due = new Set<OutputQueue>();
  #spare = new Set<OutputQueue>();
  readonly #paced = new Set<PacedReader>();
  /** One Timeout object, re-armed with refresh() (no allocation per tick). */
  #timer: NodeJS.Timeout | null = null;
  #armed = false;
  readonly #onTick = (): void => this.#tick();

  constructor(intervalMs = DEFAULT_FLUSH_MS) {
    this.intervalMs = intervalMs;
  }

  schedule(q: OutputQueue): void {
    this.#due.add(q);
    this.#arm();
  }

  /** Resumes `r` at every tick from now on; false (nothing done) when flushing is immediate. */
  pace(r: PacedReader): boolean {
    if (this.intervalMs <= 0) return false;
    this.#paced.add(r);
    this.#arm();
    return true;
  }

  unpace(r: PacedReader): void {
    this.#paced.delete(r);
  }

  get pacedCount(): number {
    return this.#paced.size;
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    if (this.#timer) this.#timer.refresh();
    else this.#timer = setTimeout(this.#onTick, this.intervalMs);
  }

  #tick(): void {
    this.#armed = false;
    this.flushAll();
    if (this.#paced.size === 0) return;
    for (const r of this.#paced) r.resume();
    this.#arm();
  }

  /** Flushes every queue with something queued (the tick, a paced read, or a caller that cannot wait). */
  flushAll(): void {
    const due = this.#due;
    if (due.size === 0) return;
    // Two sets swapped, so a flush makes no garbage.
    this.#due = this.#spare;
    this.#spare = due;
    for (const q of due) q.flush();
    due.clear();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armed = false;
    this.#paced.clear();
    this.flushAll();
  }
}
