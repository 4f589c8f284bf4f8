/**
 * Coalesces the media a player connection is sent into one system call per
 * tick (`intervalMs`, the `flush_interval`): the shared buffers are queued
 * by reference (never copied), one timer serves every connection of the
 * server, and a flush is one `write(2)`/`writev(2)` straight on the socket's
 * descriptor when the socket holds nothing unsent (the usual case: a player
 * that keeps up). None of Node's per-write stream objects, callbacks and
 * next-tick work then; what the kernel did not take, and everything while
 * the socket still holds unsent bytes, goes through `socket.write`, which
 * libuv sends in order when the peer reads. A player at 2.5 Mbit/s gets ~70
 * messages a second: at the default 200 ms that is 5 system calls instead
 * of 70.
 *
 * The shared buffers are pieces of the PacketArena, reused once every
 * queue has been flushed (the batcher calls `arena.flushed()` after each
 * flushAll). What goes through `socket.write`
 * may stay unsent for as long as the peer does not read, so it holds its
 * slab (`PacketArena.hold`) until the socket has written it (or dropped
 * it): never a copy, so 200 players joining at once, each sent the GOP
 * cache, share one copy of it however slowly the kernel takes it.
 */
import { writevSync } from "node:fs";
import type { Socket } from "node:net";
import { DEFAULT_FLUSH_INTERVAL_MS } from "../../config/types.js";
import type { ArenaSlab, PacketArena } from "../../engine/live/packet-arena.js";
import { socketFd, wouldBlock } from "./socket-reader.js";

/** Default flush interval of player output (ms): the `flush_interval` default; 0 writes every message at once. */
export const DEFAULT_FLUSH_MS = DEFAULT_FLUSH_INTERVAL_MS;

/** The one buffer of an immediate write (flush_interval 0): one array for every queue (writev is synchronous). */
const ONE: Buffer[] = [];

/** What fills the unused tail of a queue's array (writev skips nothing: these are 0 bytes). */
const EMPTY = Buffer.alloc(0);
/**
 * Longest array a queue keeps from one tick to the next. A player that
 * keeps up gets 10-20 messages a tick; a joiner gets the whole GOP cache
 * once (a few hundred), after which that array is let go.
 */
export const KEEP_SLOTS = 64;

export class OutputQueue {
  readonly socket: Socket;
  /**
   * The messages of this tick are `#bufs[0..#n)`; the rest of the array is
   * EMPTY. The array keeps its length between ticks: emptying it (length 0)
   * would free its store, and the next tick's pushes would allocate one
   * again, for every player, and that garbage lives a whole tick (long
   * enough for V8 to promote it to the old generation).
   */
  #bufs: Buffer[] = [];
  #n = 0;
  readonly #batcher: WriteBatcher;
  /** Bytes written straight to the descriptor (Node's `bytesWritten` counts only its own). */
  directBytes = 0;

  constructor(socket: Socket, batcher: WriteBatcher) {
    this.socket = socket;
    this.#batcher = batcher;
  }

  /**
   * Bytes the peer has not taken: what the socket holds unsent (the kernel
   * refused it). What waits here for the next tick is not counted: it leaves
   * at that tick whatever the peer does, and it is buffers shared with every
   * other player, not memory of this one. So a player is judged by its own
   * lag, never by the batch size (`flush_interval` × bitrate can exceed a
   * queue bound at 1 s and 20 Mbit/s), and a stalled player's socket holds
   * at most its bound plus one tick of the stream.
   */
  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  /** Queues a shared buffer for the next flush. */
  push(buf: Buffer): void {
    if (this.#batcher.intervalMs <= 0) {
      if (this.#n > 0) {
        // Replies wait in the queue (add): the media goes after them.
        this.add(buf);
        this.flush();
        return;
      }
      if (this.socket.destroyed) return;
      ONE[0] = buf;
      this.writev(ONE);
      ONE.length = 0;
      return;
    }
    this.add(buf);
    if (this.#n === 1) this.#batcher.schedule(this);
  }

  /** Queues `buf` for the caller's next `flush` (not the tick's): replies sent together. */
  add(buf: Buffer): void {
    const bufs = this.#bufs;
    const n = this.#n++;
    if (n < bufs.length) bufs[n] = buf;
    else bufs.push(buf);
  }

  /** Writes everything queued, in order, as one writev. */
  flush(): void {
    const n = this.#n;
    if (n === 0) return;
    const bufs = this.#bufs;
    this.#n = 0;
    // Nothing pushes while this writes (writev calls no JS of ours), so the array is not swapped.
    if (!this.socket.destroyed) this.writev(bufs);
    if (bufs.length > KEEP_SLOTS) this.#bufs = [];
    else bufs.fill(EMPTY, 0, n);
  }

  /**
   * Writes `bufs` now, in order after everything written before. When the
   * socket holds nothing unsent, straight to its descriptor with one
   * `writev(2)` (groups of IOV_MAX; non-blocking: the kernel takes what
   * fits): none of the stream's per-write objects, callbacks and next-tick
   * work. What the kernel did not take, or everything when the socket still
   * holds unsent bytes, goes through `socket.write`, which libuv sends when
   * the peer reads; a buffer of the arena holds its slab until written.
   * `bufs` is consumed.
   */
  writev(bufs: Buffer[]): void {
    const s = this.socket;
    let i = 0;
    const fd = s.writableLength === 0 && !s.writableEnded && !s.destroyed ? socketFd(s) : -1;
    if (fd >= 0) {
      while (i < bufs.length) {
        const group = i === 0 && bufs.length <= IOV_MAX ? bufs : bufs.slice(i, i + IOV_MAX);
        let n = 0;
        try {
          n = writevSync(fd, group);
        } catch (e) {
          if (!wouldBlock(e)) {
            s.destroy(e as Error);
            return;
          }
        }
        this.directBytes += n;
        let j = 0;
        while (j < group.length && n >= group[j]!.length) n -= group[j++]!.length;
        i += j;
        if (j < group.length) {
          // The kernel took part of it: the rest goes through the socket, in order.
          if (n > 0) bufs[i] = bufs[i]!.subarray(n);
          break;
        }
      }
      if (i >= bufs.length) return;
    }
    const arena = this.#batcher.arena;
    // The slabs of the whole batch are let go by its last write's callback (writes complete in
    // order, and a destroyed socket calls every pending callback): one closure per batch, not
    // one per buffer (a joiner's batch is the whole GOP cache, and these live until the peer reads).
    let held: ArenaSlab[] | null = null;
    let last = -1;
    for (let k = i; k < bufs.length; k++) if (bufs[k]!.length > 0) last = k;
    s.cork();
    for (; i < bufs.length; i++) {
      const b = bufs[i]!;
      if (b.length === 0) continue;
      const slab = arena?.hold(b) ?? null;
      if (slab) {
        held ??= [];
        held.push(slab);
      }
      if (i === last && held) {
        const all = held;
        s.write(b, () => {
          for (const h of all) arena!.release(h);
        });
      } else s.write(b);
    }
    s.uncork();
  }

  /** Drops what is queued (connection closing). */
  clear(): void {
    this.#bufs = [];
    this.#n = 0;
  }
}

/** Most buffers one `writev(2)` takes (Linux's IOV_MAX). */
export const IOV_MAX = 1024;

/**
 * A reader the batcher calls at each tick: it reads what waits now
 * (`SocketReader.readNow`), or resumes and pauses itself once it has read.
 */
export interface PacedReader {
  onTick(): void;
}

/**
 * One timer for all the output queues of a server, and the paced reads of
 * its publishers.
 *
 * A paced reader (a publisher's socket) is read at each tick, then the
 * queues are flushed at once (`flushAll`). The read is synchronous
 * (`SocketReader.readNow`: all that waited in the kernel, with no poll and
 * no wake-up of its own), so a tick costs one wake-up of the process
 * whatever the number of publishers and players; where Node does not expose
 * the descriptor, the reader is resumed instead and pauses itself after its
 * read, which then flushes. ffmpeg writes each chunk header and body apart:
 * ~90 reads a second at 2.5 Mbit/s read as they come, 20 paced. A message
 * therefore waits at most one interval in the kernel and is then sent on to
 * players at once; unpaced, it was read at once and waited at most one
 * interval in the queue: the latency bound is the same. The kernel's
 * receive buffer holds one interval of input (16 KiB at 2.5 Mbit/s); a read
 * that fills the read buffer reads again.
 */
export class WriteBatcher {
  #intervalMs: number;
  /**
   * Queues with something for this tick: `#due[0..#dueN)` (a queue flushed
   * early and filled again is listed twice; its second flush finds it
   * empty). Arrays that keep their length, not a Set, which `clear()` gives
   * a new table every tick.
   */
  #due: (OutputQueue | null)[] = [];
  #dueN = 0;
  #spare: (OutputQueue | null)[] = [];
  readonly #paced = new Set<PacedReader>();
  /** One Timeout object, re-armed with refresh() (no allocation per tick). */
  #timer: NodeJS.Timeout | null = null;
  #armed = false;
  readonly #onTick = (): void => this.#tick();
  /** Where the shared buffers come from: told after each flushAll, held by what sockets keep unsent. */
  readonly arena: PacketArena | null;

  constructor(intervalMs = DEFAULT_FLUSH_MS, arena: PacketArena | null = null) {
    this.#intervalMs = intervalMs;
    this.arena = arena;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /**
   * A new interval from the next tick on (reload). Between two non-zero
   * values only: false, and nothing changed, for a switch to or from 0
   * (connections chose their read and write paths for the one they started with).
   */
  setIntervalMs(ms: number): boolean {
    if (ms === this.#intervalMs) return true;
    if (ms <= 0 || this.#intervalMs <= 0) return false;
    this.#intervalMs = ms;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#armed) {
      this.#armed = false;
      this.#arm();
    }
    return true;
  }

  schedule(q: OutputQueue): void {
    const due = this.#due;
    const n = this.#dueN++;
    if (n < due.length) due[n] = q;
    else due.push(q);
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
    else this.#timer = setTimeout(this.#onTick, this.#intervalMs);
  }

  #tick(): void {
    this.#armed = false;
    for (const r of this.#paced) r.onTick();
    this.flushAll();
    if (this.#paced.size > 0) this.#arm();
  }

  /** Flushes every queue with something queued (the tick, a paced read, or a caller that cannot wait). */
  flushAll(): void {
    const n = this.#dueN;
    if (n > 0) {
      // Two arrays swapped: a queue filled during this flush is listed for the next one.
      const due = this.#due;
      this.#due = this.#spare;
      this.#spare = due;
      this.#dueN = 0;
      for (let i = 0; i < n; i++) {
        due[i]!.flush();
        due[i] = null;
      }
    }
    // No queue holds anything now: slabs retired before this flush can be reused.
    this.arena?.flushed();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armed = false;
    this.#paced.clear();
    this.flushAll();
  }
}
