/**
 * The media since the latest video keyframe, so a joining player starts on a
 * picture at once. Bounded in bytes (`gop_cache_size`, ours): a GOP that grows
 * past the bound is dropped whole and the cache stays empty until the next
 * keyframe (joiners then wait for it, as nginx-rtmp's players always do).
 *
 * The cache owns what it is given: a packet it does not keep, or drops
 * later, is released (pooled packets' arena pieces become reusable).
 */
import type { SharedPacket } from "./shared-packet.js";

export class GopCache {
  readonly limit: number;
  #packets: SharedPacket[] = [];
  #bytes = 0;
  #open = false;

  constructor(limitBytes: number) {
    this.limit = limitBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get packets(): readonly SharedPacket[] {
    return this.#packets;
  }

  /** Adds a video/audio/data packet (the cache owns it from now on); a video keyframe starts a new GOP. */
  push(p: SharedPacket, isVideoKeyframe: boolean): void {
    if (this.limit <= 0) {
      p.release();
      return;
    }
    if (isVideoKeyframe) {
      this.clear();
      this.#open = true;
    }
    if (!this.#open) {
      p.release();
      return;
    }
    this.#packets.push(p);
    this.#bytes += p.heldBytes;
    if (this.#bytes > this.limit) {
      this.clear();
    }
  }

  clear(): void {
    for (const p of this.#packets) p.release();
    this.#packets.length = 0;
    this.#bytes = 0;
    this.#open = false;
  }
}
