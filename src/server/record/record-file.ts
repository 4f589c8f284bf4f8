/**
 * One recorded FLV file on disk, written off the media path: tags are queued
 * (bounded) and written by one async pump with positional writev, the message
 * bodies straight from the shared buffers. On close the onMetaData duration
 * and filesize and the header's audio/video flags are patched in place. When
 * a write fails (ENOSPC, EACCES...) or the queue overflows, the file is cut
 * back to its last whole tag and patched to match, one line is logged and the
 * owner is told to stop recording; nothing is ever thrown at the caller.
 */

import type { FileHandle } from "node:fs/promises";
import { mkdir, open, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { flvTagFrame, TAG_HEADER_SIZE, tagTimestamp } from "../../engine/record/flv-tag-frame.js";
import type { RecordHead } from "../../engine/record/record-metadata.js";
import type { Logger } from "../../util/logger.js";
import { type ExistingFlv, readExistingFlv } from "./existing-flv.js";

export interface RecordFileOptions {
  path: string;
  append: boolean;
  log: Logger;
  /** "app/name", for log lines. */
  label: string;
  /** Bytes queued and not yet written beyond which the recording is dropped. */
  maxQueueBytes: number;
  /** Called once when the file stopped on an error (already logged). */
  onFail: () => void;
  /** Resolves when an earlier writer of the same path is done (a quick republish must not clobber it). */
  after?: Promise<void>;
}

interface Unit {
  bufs: Buffer[];
  size: number;
  /** Tag timestamp (ms, before the append shift); -1 for the head. */
  ts: number;
  head: RecordHead | null;
}

export interface RecordCloseInfo {
  durationMs: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

/** Buffers per writev call (IOV_MAX is 1024 on Linux). */
const MAX_IOV = 900;

export class RecordFile {
  readonly path: string;
  /** Resolves when the file is closed (normally or after a failure); never rejects. */
  readonly done: Promise<void>;
  readonly #o: RecordFileOptions;
  #fh: FileHandle | null = null;
  #queue: Unit[] = [];
  #queued = 0;
  #pos = 0;
  #committedPos = 0;
  #committedTs = 0;
  #existing: ExistingFlv | null = null;
  #meta: { durationAt: number; filesizeAt: number } | null = null;
  #closeInfo: RecordCloseInfo | null = null;
  #failed = false;
  #wake: (() => void) | null = null;

  constructor(o: RecordFileOptions) {
    this.#o = o;
    this.path = o.path;
    this.done = this.#run();
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes waiting to be written. */
  get queuedBytes(): number {
    return this.#queued;
  }

  head(head: RecordHead): void {
    this.#push({ bufs: [head.bytes], size: head.bytes.length, ts: -1, head });
  }

  tag(tagType: number, timestamp: number, body: Buffer): void {
    const frame = flvTagFrame(tagType, timestamp, body.length);
    const bufs = [frame.subarray(0, TAG_HEADER_SIZE), body, frame.subarray(TAG_HEADER_SIZE)];
    this.#push({ bufs, size: frame.length + body.length, ts: timestamp, head: null });
  }

  close(info: RecordCloseInfo): void {
    if (this.#closeInfo) return;
    this.#closeInfo = info;
    this.#kick();
  }

  #push(u: Unit): void {
    if (this.#failed || this.#closeInfo) return;
    if (this.#queued + u.size > this.#o.maxQueueBytes) {
      this.#fail("queue", `write queue over ${this.#o.maxQueueBytes} bytes (disk too slow)`);
      return;
    }
    this.#queue.push(u);
    this.#queued += u.size;
    this.#kick();
  }

  #kick(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #fail(what: string, reason: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#queue = [];
    this.#queued = 0;
    const msg = reason instanceof Error ? reason.message : String(reason);
    this.#o.log.error(
      `record: '${this.#o.label}' stopped recording: ${what} ${this.path} failed: ${msg} (the live stream goes on)`,
    );
    this.#kick();
    try {
      this.#o.onFail();
    } catch {
      // the owner's problem; recording is stopped either way
    }
  }

  async #run(): Promise<void> {
    try {
      await this.#o.after;
      await this.#open();
    } catch (e) {
      this.#fail("open", e);
      await this.#fh?.close().catch(() => {});
      return;
    }
    while (!this.#failed) {
      if (this.#queue.length === 0) {
        if (this.#closeInfo) break;
        await new Promise<void>((r) => {
          this.#wake = r;
        });
        continue;
      }
      const batch = this.#take();
      try {
        await this.#write(batch);
      } catch (e) {
        this.#fail("write", e);
      }
    }
    await this.#finish();
  }

  async #open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    if (this.#o.append) {
      this.#fh = await open(this.path, "r+").catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return open(this.path, "w");
        throw e;
      });
      this.#existing = await readExistingFlv(this.#fh, this.path);
      this.#pos = this.#committedPos = this.#existing?.size ?? 0;
      this.#committedTs = this.#existing?.shift ?? 0;
      this.#meta = this.#existing?.meta ?? null;
    } else {
      this.#fh = await open(this.path, "w");
    }
  }

  #take(): Unit[] {
    const batch: Unit[] = [];
    let iov = 0;
    while (this.#queue.length > 0 && iov + this.#queue[0]!.bufs.length <= MAX_IOV) {
      const u = this.#queue.shift()!;
      this.#queued -= u.size;
      if (u.head && this.#existing) continue; // appending: the file has its head already
      if (u.head) this.#meta = { durationAt: u.head.durationAt, filesizeAt: u.head.filesizeAt };
      const shift = this.#existing?.shift ?? 0;
      if (shift && !u.head) {
        const h = u.bufs[0]!;
        const ts = (tagTimestamp(h) + shift) % 0x1_0000_0000;
        h.writeUIntBE(ts % 0x100_0000, 4, 3);
        h[7] = Math.floor(ts / 0x100_0000);
      }
      batch.push(u);
      iov += u.bufs.length;
    }
    return batch;
  }

  async #write(batch: Unit[]): Promise<void> {
    let bufs = batch.flatMap((u) => u.bufs);
    const start = this.#pos;
    let unit = 0;
    let unitEnd = start + (batch[0]?.size ?? 0);
    while (bufs.length > 0) {
      const { bytesWritten } = await this.#fh!.writev(bufs, this.#pos);
      if (bytesWritten <= 0) throw new Error("short write (no space left?)");
      this.#pos += bytesWritten;
      bufs = skipBytes(bufs, bytesWritten);
      while (unit < batch.length && unitEnd <= this.#pos) {
        this.#committedPos = unitEnd;
        const u = batch[unit]!;
        if (!u.head) this.#committedTs = u.ts + (this.#existing?.shift ?? 0);
        unit++;
        unitEnd += batch[unit]?.size ?? 0;
      }
    }
  }

  async #finish(): Promise<void> {
    const fh = this.#fh;
    if (!fh) return;
    try {
      if (this.#failed) await fh.truncate(this.#committedPos);
      if (this.#committedPos === 0 && !this.#existing) {
        await fh.close();
        await unlink(this.path).catch(() => {});
        return;
      }
      await this.#patch(fh);
      await fh.close();
      if (!this.#failed) {
        this.#o.log.info(`record: '${this.#o.label}' closed ${this.path} (${this.#committedPos} bytes)`);
      }
    } catch (e) {
      await fh.close().catch(() => {});
      if (!this.#failed) this.#fail("close", e);
    }
  }

  async #patch(fh: FileHandle): Promise<void> {
    const info = this.#closeInfo;
    const shift = this.#existing?.shift ?? 0;
    const durationMs = this.#failed || !info ? this.#committedTs : shift + info.durationMs;
    if (this.#meta && this.#meta.durationAt >= 0) {
      await writeF64(fh, durationMs / 1000, this.#meta.durationAt);
    }
    if (this.#meta && this.#meta.filesizeAt >= 0)
      await writeF64(fh, this.#committedPos, this.#meta.filesizeAt);
    if (this.#failed || !info) return; // the head's flags (from the record mode) stay
    const flags = (this.#existing?.flags ?? 0) | (info.hasAudio ? 4 : 0) | (info.hasVideo ? 1 : 0);
    if (flags !== 0) await fh.write(Buffer.from([flags]), 0, 1, 4);
  }
}

function writeF64(fh: FileHandle, v: number, at: number): Promise<unknown> {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(v, 0);
  return fh.write(b, 0, 8, at);
}

/** The buffers left after the first `n` bytes were written. */
function skipBytes(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  let left = n;
  while (i < bufs.length && left >= bufs[i]!.length) left -= bufs[i++]!.length;
  if (i >= bufs.length) return [];
  const rest = bufs.slice(i);
  if (left > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}
