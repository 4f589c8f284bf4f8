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
import { type TickTimer, tickTimer } from "../process/tick-timer.js";
import { socketFd, wouldBlock } from "./socket-reader.js";

/** Default flush interval of player output (ms): the `flush_interval` default; 0 writes every message at once. */
export const DEFAULT_FLUSH_MS = DEFAULT_FLUSH_INTERVAL_MS;

/** The one buffer of an immediate write (flush_interval 0): one array for every queue (writev is synchronous). */
const ONE: Buffer[] = [];

/** What fills the unused tail of a run's array, which keeps its length (never written: see SharedRun.prefix). */
const EMPTY = Buffer.alloc(0);
/**
 * Longest array a run keeps from one tick to the next. A stream
 * at 2.5 Mbit/s sends 10-20 messages a tick; a joiner gets the whole GOP
 * cache once (a few hundred), after which that array is let go.
 */
export const KEEP_SLOTS = 64;

/**
 * The media of one tick that several queues were given, the same buffers in
 * the same order: every player of a stream that keeps up. The first queue to
 * be given a buffer appends it; the others only check that they were given
 * the one at their position and count it. So a tick's media is listed once
 * per stream, not once per player: no array per player kept between ticks,
 * no store per player and message. Runs belong to the batcher and are
 * emptied after each flushAll (when no queue refers to them).
 */
class SharedRun {
  /** The buffers `bufs[0..n)`; the rest of the array is EMPTY (it keeps its length between ticks). */
  bufs: Buffer[] = emptySlots();
  n = 0;
  /** The last prefix `prefix` made (null after each flushAll). */
  #prefix: Buffer[] | null = null;

  /**
   * `bufs[0..end)` as an array of its own, made once for every queue that
   * writes the same prefix this tick (usually the whole run). The EMPTY tail
   * must not reach `writev`: libuv counts a write as done only up to the last
   * byte written, so trailing empty buffers cost every player a second
   * `writev(2)` per tick (strace: one with the media, one with 50 empty iovecs).
   */
  prefix(end: number): Buffer[] {
    const p = this.#prefix;
    if (p !== null && p.length === end) return p;
    const made = this.bufs.slice(0, end);
    this.#prefix = made;
    return made;
  }

  /** Empty again (every queue in it has been flushed). */
  reset(): void {
    if (this.bufs.length > KEEP_SLOTS) this.bufs = emptySlots();
    else this.bufs.fill(EMPTY, 0, this.n);
    this.n = 0;
    this.#prefix = null;
  }
}

/**
 * A new run's array: as long as a run keeps (KEEP_SLOTS), so that no run
 * grows unless a tick has more messages than that, in which case every tick
 * of that stream grows one and V8 has seen it. Started empty, the runs new
 * at a join (more are in use when players join) grew where the runs of a
 * player alone had not for minutes, and V8 threw its compiled fan-out away
 * for a `push` it had never seen run (`--trace-deopt`).
 */
function emptySlots(): Buffer[] {
  return new Array<Buffer>(KEEP_SLOTS).fill(EMPTY);
}

function appendTo(run: SharedRun, buf: Buffer): void {
  const n = run.n++;
  if (n < run.bufs.length) run.bufs[n] = buf;
  else run.bufs.push(buf);
}

export class OutputQueue {
  readonly socket: Socket;
  /**
   * What this queue sends at its next flush is either a prefix of a shared
   * run (`#run.bufs[0..#end)`), or its own array `#bufs`, or nothing.
   * A queue leaves its run for its own array (copying the prefix) when it
   * is given something the run does not hold at its position: a reply, a
   * message another player did not get, one the others got and it did not.
   */
  #run: SharedRun | null = null;
  #end = 0;
  /**
   * Own array: replies, a joiner's GOP cache, media after leaving a run.
   * Null when empty: a flush lets it go (a player that keeps up is in a run
   * again next tick), so it holds exactly what waits.
   */
  #bufs: Buffer[] | null = null;
  readonly #batcher: WriteBatcher;
  /**
   * The socket's descriptor, looked up once (-2: not yet; -1: Node does not
   * expose it). Used only while the socket is not destroyed, so it is never
   * a number the kernel has given to another file since.
   */
  #fd = -2;
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

  /** Queues a shared buffer (media) for the next tick. */
  push(buf: Buffer): void {
    const batcher = this.#batcher;
    if (batcher.intervalMs <= 0) {
      if (this.#bufs !== null) {
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
    const run = this.#run;
    if (run !== null) {
      const end = this.#end;
      // The same loads, compare and store whether this queue leads the run or follows it: a
      // player alone (the usual case until players join together) then gives V8 the feedback
      // of the followers' path too, for which it would otherwise throw away its compiled
      // fan-out (`deliver` inlines this) at the first join of several players.
      // (No read past the array's end: V8 compiles in-bounds reads, and one past it threw the code away.)
      const bufs = run.bufs;
      const held = end < bufs.length && bufs[end] === buf;
      if (end === run.n) appendTo(run, buf);
      else if (!held) {
        this.#leaveRun();
        this.add(buf);
        return;
      }
      this.#end = end + 1;
      return;
    }
    if (this.#bufs === null) {
      this.#run = batcher.runFor(buf);
      this.#end = 1;
      batcher.schedule(this);
      return;
    }
    this.add(buf);
  }

  /** Queues `buf` for the caller's next `flush` (not the tick's): replies sent together. */
  add(buf: Buffer): void {
    if (this.#run) this.#leaveRun();
    this.#bufs ??= [];
    this.#bufs.push(buf);
  }

  /** Copies this queue's prefix of its run into its own array (not in the run any more). */
  #leaveRun(): void {
    this.#bufs = this.#run!.bufs.slice(0, this.#end);
    this.#run = null;
    this.#end = 0;
  }

  /** Writes everything queued, in order, as one writev. */
  flush(): void {
    const run = this.#run;
    if (run) {
      const end = this.#end;
      this.#run = null;
      this.#end = 0;
      if (this.socket.destroyed) return;
      this.writev(run.prefix(end));
      return;
    }
    const bufs = this.#bufs;
    if (bufs === null) return;
    this.#bufs = null;
    if (!this.socket.destroyed) this.writev(bufs);
  }

  /**
   * Writes `bufs` now, in order after everything written before.
   * When the socket holds nothing unsent, straight to its descriptor with
   * one `writev(2)` (groups of IOV_MAX; non-blocking: the kernel takes what
   * fits): none of the stream's per-write objects, callbacks and next-tick
   * work. What the kernel did not take, or everything when the socket still
   * holds unsent bytes, goes through `socket.write`, which libuv sends when
   * the peer reads; a buffer of the arena holds its slab until written.
   * `bufs` is not changed (it may be a run other queues write too).
   */
  writev(bufs: Buffer[]): void {
    const s = this.socket;
    let i = 0;
    /** Bytes of bufs[i] the kernel already took. */
    let skip = 0;
    let fd = -1;
    if (s.writableLength === 0 && !s.writableEnded && !s.destroyed) {
      fd = this.#fd;
      if (fd === -2) fd = this.#fd = socketFd(s);
    }
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
          skip = n;
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
      let b = bufs[i]!;
      if (skip > 0) {
        b = b.subarray(skip);
        skip = 0;
      }
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
    this.#run = null;
    this.#end = 0;
    this.#bufs = null;
  }
}

/** Runs an empty queue looks at for one starting with its buffer (the latest first). */
const RUNS_LOOKED_AT = 4;

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
  /**
   * This tick's shared runs: `#runs[0..#runsUsed)`, emptied after each
   * flushAll; the rest are spares, and there is always one (`runFor` looks
   * at it too, so that the look runs, with its feedback, for a player alone).
   */
  #runs: SharedRun[] = [new SharedRun()];
  #runsUsed = 0;
  readonly #paced = new Set<PacedReader>();
  /** One timer, made at the first tick and re-armed at each (the addon's when built: see tick-timer.ts). */
  #timer: TickTimer | null = null;
  readonly #makeTimer: (fn: () => void) => TickTimer;
  #armed = false;
  readonly #onTick = (): void => this.#tick();
  /** The chore (`setChore`), its period, when it last ran, and its own timer (only while nothing is paced). */
  #chore: ((now: number) => void) | null = null;
  #choreMs = 0;
  #choreAt = 0;
  #choreTimer: NodeJS.Timeout | null = null;
  /** Where the shared buffers come from: told after each flushAll, held by what sockets keep unsent. */
  readonly arena: PacketArena | null;

  constructor(
    intervalMs = DEFAULT_FLUSH_MS,
    arena: PacketArena | null = null,
    makeTimer: (fn: () => void) => TickTimer = tickTimer,
  ) {
    this.#intervalMs = intervalMs;
    this.arena = arena;
    this.#makeTimer = makeTimer;
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
    this.#timer?.stop();
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

  /**
   * The run an empty queue given `buf` joins: one of the last runs started
   * whose first buffer is `buf` (a previous player of the same stream, with
   * the same chunk size, started it; a few are looked at, as players of two
   * chunk sizes may alternate), else a new one starting with `buf`.
   */
  runFor(buf: Buffer): SharedRun {
    const runs = this.#runs;
    const used = this.#runsUsed;
    // An empty run's first slot is EMPTY or a hole, never a buffer given to a queue.
    for (let i = used; i >= 0 && i >= used - RUNS_LOOKED_AT; i--) {
      if (runs[i]!.bufs[0] === buf) return runs[i]!;
    }
    const run = runs[used]!;
    if (runs.length === used + 1) runs.push(new SharedRun());
    this.#runsUsed = used + 1;
    appendTo(run, buf);
    return run;
  }

  /** Runs in use this tick (tests). */
  get runsInUse(): number {
    return this.#runsUsed;
  }

  /** Resumes `r` at every tick from now on; false (nothing done) when flushing is immediate. */
  pace(r: PacedReader): boolean {
    if (this.intervalMs <= 0) return false;
    this.#paced.add(r);
    this.#choreOwnTimer(false);
    this.#arm();
    return true;
  }

  unpace(r: PacedReader): void {
    this.#paced.delete(r);
    if (this.#paced.size === 0) this.#choreOwnTimer(true);
  }

  /**
   * Runs `fn` about every `everyMs` (the RTMP server's housekeeping: pings,
   * timeouts, the memory reducer). While a reader is paced, the ticks come
   * anyway and run it when it is due (within half an interval), so it costs
   * no wake-up of its own: its own timer was 2 of the server's ~7 wake-ups a
   * second with one stream, each paying Node's timer and async-hook work,
   * run cold. With nothing paced, an unref'd interval of its own runs it.
   */
  setChore(fn: (now: number) => void, everyMs: number): void {
    this.#choreOwnTimer(false);
    this.#chore = fn;
    this.#choreMs = everyMs;
    this.#choreAt = Date.now();
    this.#choreOwnTimer(this.#paced.size === 0);
  }

  /** Whether the chore runs from a timer of its own now (tests). */
  get choreHasOwnTimer(): boolean {
    return this.#choreTimer !== null;
  }

  #choreOwnTimer(on: boolean): void {
    if (on && this.#chore !== null && this.#choreTimer === null) {
      this.#choreTimer = setInterval(() => this.#runChore(Date.now()), this.#choreMs);
      this.#choreTimer.unref();
    } else if (!on && this.#choreTimer !== null) {
      clearInterval(this.#choreTimer);
      this.#choreTimer = null;
    }
  }

  #runChore(now: number): void {
    this.#choreAt = now;
    this.#chore!(now);
  }

  get pacedCount(): number {
    return this.#paced.size;
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    this.#timer ??= this.#makeTimer(this.#onTick);
    this.#timer.start(this.#intervalMs);
  }

  #tick(): void {
    this.#armed = false;
    for (const r of this.#paced) r.onTick();
    this.flushAll();
    if (this.#paced.size > 0) {
      this.#arm();
      if (this.#chore !== null) {
        const now = Date.now();
        if (now - this.#choreAt >= this.#choreMs - this.#intervalMs / 2) this.#runChore(now);
      }
    }
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
    // Every queue that was in a run was due, and has been flushed: the runs are free again.
    const used = this.#runsUsed;
    if (used > 0) {
      const runs = this.#runs;
      for (let i = 0; i < used; i++) {
        runs[i]!.reset();
      }
      // Spares beyond what a tick used lately are let go (a burst of lone players needed them once).
      if (runs.length > 2 * used + 4) runs.length = used + 1;
      this.#runsUsed = 0;
    }
    // No queue holds anything now: slabs retired before this flush can be reused.
    this.arena?.flushed();
  }

  stop(): void {
    this.#choreOwnTimer(false);
    this.#chore = null;
    this.#timer?.close();
    this.#timer = null;
    this.#armed = false;
    this.#paced.clear();
    this.flushAll();
  }
}
